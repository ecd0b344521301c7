package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.Generation;
import dev.jtune.nn.GenerationConfig;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./jtune generate --model DIR --prompt TEXT}: streams a continuation of the prompt to stdout. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt with a causal LM, streaming the text (greedy by default).")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Hugging Face model folder; with --adapter, the base "
            + "(default: the adapter's base_model_name_or_path).")
    Path model;

    @Option(names = "--adapter", description = "A LoRA adapter folder (PEFT's layout) to apply on the model; its tokenizer, "
            + "when it has one, replaces the model's.")
    Path adapter;

    @Option(names = "--prompt", required = true, description = "The text to continue.")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "Tokens to add at most (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--greedy", description = "Take the most likely token each step (the default unless a sampling option is given).")
    boolean greedy;

    @Option(names = "--temperature", description = "Sample, dividing logits by T.")
    Double temperature;

    @Option(names = "--top-k", description = "Sample from the K most likely tokens (default 50 when sampling).")
    Integer topK;

    @Option(names = "--top-p", description = "Sample from the smallest set reaching probability P.")
    Double topP;

    @Option(names = "--repetition-penalty", defaultValue = "1.0", description = "CTRL repetition penalty (default: ${DEFAULT-VALUE}).")
    double repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "End with a JSON line: prompt_ids, generated_ids, text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        AdapterLoading.Loaded loaded = AdapterLoading.load(model, adapter, false);
        PreTrainedCausalLM lm = loaded.model();
        Tokenizer tokenizer = loaded.tokenizer();
        int[] promptIds = tokenizer.encode(prompt);
        Integer eos = tokenizer.eosTokenId();
        boolean sample = !greedy && (temperature != null || topK != null || topP != null);
        GenerationConfig config = (sample ? GenerationConfig.sampling(maxNewTokens, eos == null ? -1 : eos, seed)
                : GenerationConfig.greedy(maxNewTokens, eos == null ? -1 : eos))
                .withRepetitionPenalty(repetitionPenalty);
        if (temperature != null) config = config.withTemperature(temperature);
        if (topK != null) config = config.withTopK(topK);
        if (topP != null) config = config.withTopP(topP);

        System.out.print(prompt);
        List<Integer> generated = new ArrayList<>();
        StreamingDecoder stream = new StreamingDecoder(tokenizer);
        Generation.generate(lm, promptIds, config, (row, id) -> {
            generated.add(id);
            System.out.print(stream.push(id));
            System.out.flush();
        });
        System.out.println();
        if (json) {
            ObjectNode line = new ObjectMapper().createObjectNode();
            line.putPOJO("prompt_ids", promptIds);
            line.putPOJO("generated_ids", generated);
            line.put("text", tokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray()));
            System.out.println(new ObjectMapper().writeValueAsString(line));
        }
        return 0;
    }
}
