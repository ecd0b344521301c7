package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.Padding;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.Truncation;
import dev.jtune.train.Evaluation;
import dev.jtune.train.data.DataCollatorForLanguageModeling;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.Datasets;
import dev.jtune.train.data.MapOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune evaluate --model DIR --data FILE}: the token-weighted mean cross-entropy of a causal LM over the rows
 * of a JSONL file, each row one sequence (its text, or its own {@code input_ids} when it has them), with its
 * perplexity; with a template and a label column, also the label accuracy and macro recall. Both go through the
 * trainer's evaluation loop ({@link Evaluation}). With {@code --adapter DIR} the model is the base with a LoRA adapter.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Mean next-token loss and perplexity of a model over JSONL rows (each row one sequence).")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--adapter", description = "A LoRA adapter folder (PEFT's layout) to apply on the model; its tokenizer, "
            + "when it has one, replaces the model's.")
    Path adapter;

    @Option(names = "--data", required = true,
            description = "JSONL (or CSV) file, one sequence per row: a text, or already tokenized input_ids.")
    Path data;

    @Option(names = "--text-field", defaultValue = "text", description = "Field holding the text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--text-template", description = "Text built from fields, e.g. \"Tweet: {text}\\nSentiment: {label_text}\".")
    String textTemplate;

    @Option(names = "--label-column", description = "Field of label words: also report accuracy and macro recall.")
    String labelColumn;

    @Option(names = "--batch-size", defaultValue = "16", description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--output", description = "Also write the result JSON here.")
    Path output;

    @Override
    public Integer call() throws Exception {
        Path model = modelOptions.folder();
        AdapterLoading.Loaded loaded = AdapterLoading.loadForInference(model, adapter);
        model = loaded.baseDir();
        PreTrainedCausalLM lm = loaded.model();
        Tokenizer tokenizer = loaded.tokenizer();
        Dataset rows = Datasets.read(data.toString().endsWith(".csv") ? "csv" : "json", List.of(data));
        if (rows.size() == 0) throw new IllegalArgumentException(data + ": nothing to evaluate (no rows)");
        String template = textTemplate != null ? textTemplate.replace("\\n", "\n") : "{" + textField + "}";
        int maxLength = lm.config().maxPositions();
        Dataset sequences;
        try {
            sequences = PretokenizedRows.present(rows)
                    ? PretokenizedRows.checked(rows, lm.config().vocabSize(), maxLength)
                    : rows.map(Templates.encoder(tokenizer, template, Padding.none(), Truncation.maxLength(maxLength)),
                            MapOptions.batched());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(data + ": " + e.getMessage(), e);
        }
        // a row of fewer than two tokens predicts nothing
        sequences = byLength(sequences.filter(row -> ((int[]) row.get("input_ids")).length >= 2));
        if (sequences.size() == 0) {
            throw new IllegalArgumentException(data + ": nothing to evaluate (no row has two tokens to predict from)");
        }
        ProgressLine progress = new ProgressLine("evaluate", rows.size(), "rows");
        DataLoader loader = DataLoader.sequential(sequences, batchSize, DataCollatorForLanguageModeling.forModel(lm));
        Evaluation.Result r = Evaluation.run(lm, loader, null, false, progress::update);
        progress.finish();
        ObjectNode json = new ObjectMapper().createObjectNode()
                .put("eval_loss", r.loss()).put("perplexity", r.perplexity()).put("tokens", r.tokens())
                .put("rows", rows.size());
        if (labelColumn != null) {
            Map<String, Double> metrics = LabelClassification.of(tokenizer, template, labelColumn, rows, maxLength)
                    .evaluate(lm, batchSize);
            json.put("eval_accuracy", metrics.get("accuracy")).put("eval_macro_recall", metrics.get("macro_recall"));
        }
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        System.out.println(text);
        if (output != null) Files.writeString(output, text + "\n");
        return 0;
    }

    /** The rows sorted by length, so that a batch holds rows of similar length (less padding; same loss). */
    private static Dataset byLength(Dataset sequences) {
        List<Object> ids = sequences.column("input_ids");
        return sequences.select(IntStream.range(0, sequences.size()).boxed()
                .sorted(Comparator.comparingInt(i -> ((int[]) ids.get(i)).length)).mapToInt(i -> i).toArray());
    }
}
