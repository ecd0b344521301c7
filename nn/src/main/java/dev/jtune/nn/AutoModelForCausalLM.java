package dev.jtune.nn;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
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
     * Reads {@code config.json} and the safetensors weights of {@code dir}. The config's size is checked against the
     * checkpoint before the model is built, and every tensor (names, shapes, finite values) before it is loaded, so a
     * bad checkpoint fails in one line with nothing half-loaded.
     */
    public static PreTrainedCausalLM fromPretrained(Path dir) throws IOException {
        return fromPretrained(dir, DType.F32);
    }

    /**
     * As {@link #fromPretrained(Path)}, the weights held in {@code dtype}, like transformers' {@code
     * from_pretrained(dir, dtype=...)}: F32, or BF16/F16 for a frozen base that adapters train on ({@link
     * dev.jtune.nn.peft.PeftModel}), at half the memory. Weights stored in that dtype are read as their bits, so a
     * bf16 checkpoint never has an F32 copy; others are rounded as they are read.
     */
    public static PreTrainedCausalLM fromPretrained(Path dir, DType dtype) throws IOException {
        ConfigJson json = ConfigJson.read(dir);
        ModelConfig config = config(json);
        Path weights = Checkpoints.weightsFile(dir);
        CheckpointFit.checkSize(config, json, Checkpoints.storedValues(dir), weights);
        PreTrainedCausalLM model = Layers.withParameterDtype(dtype, () -> emptyModel(config));
        // Its zeros go back to the pool, where reading the checkpoint takes them: one copy of the weights, not two.
        model.parameters().forEach(p -> p.value().storage().release("replaced by the checkpoint's weights"));
        Map<String, Tensor> stored = Checkpoints.loadTensors(dir, dtype);
        Map<String, Tensor> state = new LinkedHashMap<>(model.checkpointToModelNames(stored));
        if (config.tieWordEmbeddings()) tieHead(state, model);
        CheckpointFit.check(model, json, state, weights);
        model.loadStateDict(state, true);
        model.eval();
        return model;
    }

    /** The configuration class {@code model_type} names, read from {@code json}. */
    static ModelConfig config(ConfigJson json) {
        String type = modelType(json);
        return switch (type) {
            case "gpt2" -> GPT2Config.from(json);
            case "llama", "mistral", "qwen2", "qwen3" -> LlamaConfig.from(json);
            default -> throw new IllegalArgumentException(json.source() + ": unsupported model_type '" + type
                    + "' (jtune supports gpt2, llama, mistral, qwen2, qwen3)");
        };
    }

    /**
     * A separate copy of {@code model} with equal weights (TRL's {@code create_reference_model}: a frozen reference
     * for DPO); the copy trains independently of the original. The weights are copied into the buffers of an empty
     * model of the same architecture (in F32), so the copy costs one model's memory, not two.
     */
    public static PreTrainedCausalLM copyOf(PreTrainedCausalLM model) {
        PreTrainedCausalLM copy = emptyModel(model.config());
        Map<String, Parameter> theirs = model.namedParameters(), ours = copy.namedParameters();
        if (!theirs.keySet().equals(ours.keySet())) {
            throw new IllegalArgumentException("copyOf: the model's parameters " + theirs.keySet()
                    + " are not those of its architecture " + ours.keySet());
        }
        try (var noGrad = GradMode.noGrad()) {
            ours.forEach((name, p) -> p.value().copy_(theirs.get(name).value()));
        }
        copy.train(model.isTraining());
        return copy;
    }

    /**
     * A model of {@code config}'s architecture whose weights are zeros, for a checkpoint to fill: drawing them first
     * would take most of the loading time of a large model.
     */
    static PreTrainedCausalLM emptyModel(ModelConfig config) {
        return switch (config) {
            case GPT2Config c -> new GPT2LMHeadModel(c, null, new Generator(1));
            case LlamaConfig c -> new LlamaForCausalLM(c, (Generator) null);
            default -> throw new IllegalStateException("no model class for " + config.modelType());
        };
    }

    /**
     * {@code model_type}, or when a config has none, the type of the class {@code architectures} names (written into
     * the config, as transformers' config classes write it).
     */
    private static String modelType(ConfigJson json) {
        String type = json.modelType();
        if (type != null) return type;
        JsonNode architectures = json.node().path("architectures");
        String architecture = architectures.isArray() && !architectures.isEmpty() ? architectures.get(0).asText() : "";
        Map<String, String> known = new LinkedHashMap<>(Map.of("GPT2LMHeadModel", "gpt2"));
        LlamaConfig.ARCHITECTURES.forEach((t, a) -> known.put(a, t));
        type = known.get(architecture);
        if (type == null) {
            throw new IllegalArgumentException(json.source() + ": no model_type, and architectures " + architectures
                    + " names no class jtune runs (" + String.join(", ", known.keySet()) + ")");
        }
        json.node().put("model_type", type);
        return type;
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
