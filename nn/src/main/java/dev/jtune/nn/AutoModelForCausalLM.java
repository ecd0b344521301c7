package dev.jtune.nn;

import dev.jtune.core.Tensor;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Loads a causal LM from a Hugging Face directory, choosing the class from {@code config.json}'s {@code model_type}. */
public final class AutoModelForCausalLM {

    private static final String LM_HEAD = "lm_head.weight";

    private AutoModelForCausalLM() {}

    /**
     * Reads {@code config.json} and the safetensors weights of {@code dir}; every tensor is checked (names and shapes)
     * before the model is returned, so a bad checkpoint fails with nothing half-loaded.
     */
    public static PreTrainedCausalLM fromPretrained(Path dir) throws IOException {
        ConfigJson json = ConfigJson.read(dir);
        String type = json.modelType();
        PreTrainedCausalLM model = switch (type == null ? "" : type) {
            case "gpt2" -> new GPT2LMHeadModel(GPT2Config.from(json), 0);
            case "llama" -> new LlamaForCausalLM(LlamaConfig.from(json), 0);
            default -> throw new IllegalArgumentException(dir.resolve("config.json") + ": unsupported model_type '"
                    + type + "' (jtune supports gpt2, llama)");
        };
        Map<String, Tensor> state = new LinkedHashMap<>(model.checkpointToModelNames(Checkpoints.loadTensors(dir)));
        if (model.config().tieWordEmbeddings()) tieHead(state, model);
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir + ": checkpoint does not fit " + type + ": " + e.getMessage(), e);
        }
        model.eval();
        return model;
    }

    /**
     * With {@code tie_word_embeddings}, the head is the embedding: transformers stores the pair once, under the
     * embedding's name, and ignores a stored {@code lm_head.weight}.
     */
    private static void tieHead(Map<String, Tensor> state, PreTrainedCausalLM model) {
        String embedding = model.namedParameters().entrySet().stream()
                .filter(p -> p.getValue() == model.inputEmbeddings()).findFirst().orElseThrow().getKey();
        if (state.containsKey(embedding)) state.put(LM_HEAD, state.get(embedding));
    }
}
