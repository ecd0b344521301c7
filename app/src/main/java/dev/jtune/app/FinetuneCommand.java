package dev.jtune.app;

import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.DatasetDict;
import dev.jtune.train.data.Datasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune finetune --model DIR --data DIR_OR_FILE --output-dir DIR [training flags] [LoRA flags]}: the seed
 * walkthrough, with full fine-tuning or LoRA.
 */
@Command(name = "finetune", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        optionListHeading = "%nModel, data and output:%n",
        description = {"Fine-tune a pretrained causal LM on JSONL/CSV data with the Trainer, then evaluate and save it.",
            "A directory for --data holds train.jsonl and validation.jsonl (or .csv); a single file is a train split.",
            "Rows with a \"messages\" column (role/content objects) are formatted with the model's chat template.",
            "With --lora-r, only LoRA adapters train and the output is PEFT's adapter folder (adapter_config.json, "
                    + "adapter_model.safetensors): ./jtune merge turns it into a plain model; evaluate and generate "
                    + "take it with --adapter."})
final class FinetuneCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, description = "Folder with train/validation files, or one training file.")
    Path data;

    @Option(names = "--eval-data", description = "Validation file (overrides the folder's).")
    Path evalData;

    @Option(names = "--text-field", defaultValue = "text", description = "Column with the text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--text-template", description = "Text built from columns, e.g. \"Tweet: {text}\\nSentiment: {label_text}\".")
    String textTemplate;

    @Option(names = "--label-column", description = "Column of label words: also report accuracy and macro recall.")
    String labelColumn;

    @Option(names = "--max-length", defaultValue = "64", description = "Truncate (and pad) to this many tokens (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--padding", defaultValue = "longest",
            description = "max_length or longest (default: ${DEFAULT-VALUE}; the loss is the same, longest is faster).")
    String padding;

    @Option(names = "--chat-template", paramLabel = "FILE",
            description = "Jinja chat template for a \"messages\" column (default: the model's chat_template).")
    Path chatTemplate;

    @Option(names = "--assistant-only-loss",
            description = "With a \"messages\" column: learn only the assistant replies, the template's "
                    + "{%% generation %%} blocks (TRL's assistant_only_loss).")
    boolean assistantOnlyLoss;

    @Mixin
    TrainingArgumentsOptions training;

    @ArgGroup(validate = false, heading = "%nLoRA (PEFT adapters on a frozen base):%n", order = 3)
    LoraOptions lora = new LoraOptions();

    @Override
    public Integer call() throws IOException {
        if (!padding.equals("longest") && !padding.equals("max_length")) {
            throw new IllegalArgumentException("--padding must be max_length or longest, got " + padding);
        }
        String template = textTemplate != null ? textTemplate.replace("\\n", "\n") : "{" + textField + "}";
        TrainingArguments args = training.toArguments();
        Path base = AdapterLoading.baseDir(modelOptions.folder(), lora.adapter);
        FineTuning.Lora plan = new FineTuning.Lora(lora.config(base), lora.adapter, lora.baseDtype());
        FineTuning.run(new FineTuning.Plan(base, load(), template, labelColumn, maxLength, padding, args,
                new FineTuning.Chat(chatTemplate, assistantOnlyLoss), plan));
        return 0;
    }

    /** train (and validation) splits from --data and --eval-data. */
    private DatasetDict load() throws IOException {
        Map<String, List<Path>> files = new LinkedHashMap<>();
        if (Files.isDirectory(data)) {
            files.put("train", List.of(find(data, "train")));
            Path validation = evalData != null ? evalData : findOptional(data, "validation");
            if (validation != null) files.put("validation", List.of(validation));
        } else {
            files.put("train", List.of(data));
            if (evalData != null) files.put("validation", List.of(evalData));
        }
        String format = files.get("train").getFirst().toString().endsWith(".csv") ? "csv" : "json";
        return Datasets.load(format, files);
    }

    private static Path find(Path dir, String split) throws IOException {
        Path p = findOptional(dir, split);
        if (p == null) throw new NoSuchFileException(dir + ": no " + split + ".jsonl, " + split + ".json or " + split + ".csv");
        return p;
    }

    private static Path findOptional(Path dir, String split) {
        for (String ext : List.of(".jsonl", ".json", ".csv")) {
            if (Files.exists(dir.resolve(split + ext))) return dir.resolve(split + ext);
        }
        return null;
    }
}
