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
        Map<String, Tensor> state = normalizeNames(Checkpoints.loadTensors(dir), model);
        try {
            model.loadStateDict(state, true);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir + ": checkpoint does not fit " + type + ": " + e.getMessage(), e);
        }
        model.eval();
        return model;
    }

    /**
     * Adapts HF naming variants: drops GPT-2's non-parameter buffers ({@code attn.bias}, {@code attn.masked_bias}),
     * adds the missing {@code transformer.} prefix of bare GPT2Model checkpoints, and fills a tied head from the
     * embedding when the checkpoint stores it once.
     */
    private static Map<String, Tensor> normalizeNames(Map<String, Tensor> state, PreTrainedCausalLM model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean gpt2 = model instanceof GPT2LMHeadModel;
        boolean bare = gpt2 && state.keySet().stream().noneMatch(k -> k.startsWith("transformer."));
        for (var e : state.entrySet()) {
            String name = e.getKey();
            if (gpt2 && (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias"))) continue;
            if (bare && !name.startsWith("lm_head.")) name = "transformer." + name;
            out.put(name, e.getValue());
        }
        Map<String, Tensor> expected = model.stateDict();
        for (String name : expected.keySet()) {
            if (!out.containsKey(name) && name.equals("lm_head.weight") && isTied(model)) {
                String embedding = model.namedParameters().entrySet().stream()
                        .filter(p -> p.getValue() == model.inputEmbeddings()).findFirst().orElseThrow().getKey();
                if (out.containsKey(embedding)) out.put(name, out.get(embedding));
            }
        }
        return out;
    }

    private static boolean isTied(PreTrainedCausalLM model) {
        return model.namedParameters().size() < model.stateDict().size();
    }
}
