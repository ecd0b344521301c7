package dev.jtune.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.Generation;
import dev.jtune.nn.GenerationConfig;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./jtune generate --model DIR --prompt TEXT}: streams a continuation of the prompt to stdout; with
 * {@code --chat}, the reply to the prompt sent as a user message through the model's chat template.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt with a causal LM, streaming the text (greedy by default).")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--adapter", description = "A LoRA adapter folder (PEFT's layout) to apply on the model; its tokenizer, "
            + "when it has one, replaces the model's.")
    Path adapter;

    @Option(names = "--prompt", required = true, description = "The text to continue.")
    String prompt;

    @Option(names = "--chat", description = "Send --prompt as a user message formatted with the model's chat template "
            + "(add_generation_prompt), and print only the reply.")
    boolean chat;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "With --chat: this Jinja template instead of the model's.")
    Path chatTemplate;

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
        AdapterLoading.Loaded loaded = AdapterLoading.loadForInference(modelOptions.folder(), adapter);
        PreTrainedCausalLM lm = loaded.model();
        Tokenizer tokenizer = loaded.tokenizer();
        String text = chat ? template(loaded.tokenizerDir()).apply(List.of(Map.of("role", "user", "content", prompt)), true,
                tokenizer) : prompt;
        int[] promptIds = chat ? tokenizer.encode(text, false) : tokenizer.encode(prompt);  // the template has the BOS
        Integer eos = tokenizer.eosTokenId();
        boolean sample = !greedy && (temperature != null || topK != null || topP != null);
        GenerationConfig config = (sample ? GenerationConfig.sampling(maxNewTokens, eos == null ? -1 : eos, seed)
                : GenerationConfig.greedy(maxNewTokens, eos == null ? -1 : eos))
                .withRepetitionPenalty(repetitionPenalty);
        if (temperature != null) config = config.withTemperature(temperature);
        if (topK != null) config = config.withTopK(topK);
        if (topP != null) config = config.withTopP(topP);

        if (!chat) System.out.print(prompt);
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
            if (chat) line.put("prompt", text);
            line.putPOJO("prompt_ids", promptIds);
            line.putPOJO("generated_ids", generated);
            line.put("text", tokenizer.decode(generated.stream().mapToInt(Integer::intValue).toArray()));
            System.out.println(new ObjectMapper().writeValueAsString(line));
        }
        return 0;
    }

    /** --chat-template's file, else the model's chat template. */
    private ChatTemplate template(Path model) throws IOException {
        return chatTemplate != null ? ChatTemplate.of(Files.readString(chatTemplate), chatTemplate.toString())
                : ChatTemplate.fromPretrained(model);
    }
}
