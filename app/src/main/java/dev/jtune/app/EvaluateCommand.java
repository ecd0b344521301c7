package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.LanguageModelEvaluation;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune evaluate --model DIR --data FILE}: the token-weighted mean cross-entropy of a causal LM over the rows
 * of a JSONL file, each row one sequence, with its perplexity.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Mean next-token loss and perplexity of a model over JSONL rows (each row one sequence).")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Hugging Face model folder (config.json, model.safetensors, tokenizer).")
    Path model;

    @Option(names = "--data", required = true, description = "JSONL file, one sequence per row.")
    Path data;

    @Option(names = "--text-field", defaultValue = "text", description = "Field holding the text (default: ${DEFAULT-VALUE}).")
    String textField;

    @Option(names = "--batch-size", defaultValue = "16", description = "Sequences per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--output", description = "Also write the result JSON here.")
    Path output;

    @Override
    public Integer call() throws Exception {
        PreTrainedCausalLM lm = AutoModelForCausalLM.fromPretrained(model);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(model);
        List<String> texts = JsonlTexts.read(data, textField);
        List<int[]> sequences = texts.stream().map(tokenizer::encode).toList();
        ProgressLine progress = new ProgressLine("evaluate", sequences.size(), "rows");
        LanguageModelEvaluation.Result r = LanguageModelEvaluation.evaluate(lm, sequences, batchSize, progress::update);
        progress.finish();
        ObjectNode json = new ObjectMapper().createObjectNode()
                .put("eval_loss", r.meanLoss()).put("perplexity", r.perplexity()).put("tokens", r.tokens())
                .put("rows", texts.size());
        String text = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(json);
        System.out.println(text);
        if (output != null) Files.writeString(output, text + "\n");
        return 0;
    }
}
