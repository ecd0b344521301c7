package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.LanguageModelEvaluation;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune evaluate --model DIR --data FILE}: the token-weighted mean cross-entropy of a causal LM over the rows
 * of a JSONL file, each row one sequence, with its perplexity; with a template and a label column, also the label
 * accuracy and macro recall.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Mean next-token loss and perplexity of a model over JSONL rows (each row one sequence).")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Hugging Face model folder (config.json, model.safetensors, tokenizer).")
    Path model;

    @Option(names = "--data", required = true, description = "JSONL (or CSV) file, one sequence per row.")
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
        PreTrainedCausalLM lm = AutoModelForCausalLM.fromPretrained(model);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(model);
        Dataset rows = Datasets.read(data.toString().endsWith(".csv") ? "csv" : "json", List.of(data));
        String template = textTemplate != null ? textTemplate.replace("\\n", "\n") : "{" + textField + "}";
        List<int[]> sequences = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) sequences.add(tokenizer.encode(Templates.fill(template, rows.get(i)), false));
        ProgressLine progress = new ProgressLine("evaluate", sequences.size(), "rows");
        LanguageModelEvaluation.Result r = LanguageModelEvaluation.evaluate(lm, sequences, batchSize, progress::update);
        progress.finish();
        ObjectNode json = new ObjectMapper().createObjectNode()
                .put("eval_loss", r.meanLoss()).put("perplexity", r.perplexity()).put("tokens", r.tokens())
                .put("rows", rows.size());
        if (labelColumn != null) {
            double[] metrics = LabelClassification.of(tokenizer, template, labelColumn, rows).accuracy(lm, batchSize);
            json.put("eval_accuracy", metrics[0]).put("eval_macro_recall", metrics[1]);
        }
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        System.out.println(text);
        if (output != null) Files.writeString(output, text + "\n");
        return 0;
    }
}
