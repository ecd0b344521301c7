package dev.jtune.nn.llama;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.ConfigLimits;
import dev.jtune.nn.ModelConfig;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The configuration of the Llama family under transformers' names: {@code LlamaConfig}, {@code MistralConfig},
 * {@code Qwen2Config} and {@code Qwen3Config}, one decoder with a few switches chosen by {@code model_type}. Make one
 * with {@link #builder()} / {@link #builder(String)} (transformers' defaults of that class), {@link #preset(String)} or
 * {@link #from(ConfigJson)} (either config.json layout); copy one with {@link #toBuilder()}.
 *
 * <p>The switches: Qwen2 has a bias on q/k/v_proj and none on o_proj; Qwen3 normalises q and k per head
 * ({@code q_norm}, {@code k_norm}); Mistral and Qwen may attend through a sliding window on some layers
 * ({@code layerTypes}); any of them may rescale RoPE the Llama 3 way ({@code ropeScaling}).
 *
 * @param modelType     {@code llama}, {@code mistral}, {@code qwen2} or {@code qwen3}
 * @param attentionBias a bias on q/k/v/o_proj (Llama, Qwen3); Qwen2's fixed q/k/v bias is {@link #qkvBias()}
 * @param ropeScaling   Llama 3's frequency rescaling, or null for the default RoPE
 * @param slidingWindow the window of the {@code sliding_attention} layers, 0 when no layer has one
 * @param layerTypes    per layer, {@code full_attention} or {@code sliding_attention}
 * @param raw           the fields of the config.json this was read from, written back by {@link #toJson()}
 */
public record LlamaConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                          double rmsNormEps, double ropeTheta, RopeScaling ropeScaling, boolean attentionBias,
                          boolean mlpBias, int slidingWindow, List<String> layerTypes, boolean tieWordEmbeddings,
                          double initializerRange, int bosTokenId, int eosTokenId, int padTokenId, ObjectNode raw)
        implements ModelConfig {

    /** The {@code model_type}s this configuration covers, each with its transformers class. */
    public static final Map<String, String> ARCHITECTURES = Map.of("llama", "LlamaForCausalLM",
            "mistral", "MistralForCausalLM", "qwen2", "Qwen2ForCausalLM", "qwen3", "Qwen3ForCausalLM");

    /** The names {@link #preset(String)} knows. */
    public static final List<String> PRESETS = List.of("llama-7b", "tinyllama-1.1b", "llama-16m", "tiny-llama");

    static final String FULL = "full_attention", SLIDING = "sliding_attention";

    public LlamaConfig {
        String name = modelType == null ? "LlamaConfig" : ARCHITECTURES.containsKey(modelType)
                ? ARCHITECTURES.get(modelType).replace("ForCausalLM", "Config") : modelType;
        if (!ARCHITECTURES.containsKey(modelType)) {
            throw new IllegalArgumentException("LlamaConfig: model_type " + modelType + " is not one of "
                    + ARCHITECTURES.keySet());
        }
        ConfigLimits.positive(name, Map.of("vocab_size", vocabSize, "hidden_size", hiddenSize,
                "intermediate_size", intermediateSize, "num_hidden_layers", numHiddenLayers,
                "num_attention_heads", numAttentionHeads, "num_key_value_heads", numKeyValueHeads, "head_dim", headDim,
                "max_position_embeddings", maxPositionEmbeddings));
        ConfigLimits.tensor(name, "embed_tokens (vocab_size x hidden_size)", vocabSize, hiddenSize);
        ConfigLimits.tensor(name, "q_proj (num_attention_heads x head_dim x hidden_size)",
                (long) numAttentionHeads * headDim, hiddenSize);
        ConfigLimits.tensor(name, "gate_proj (intermediate_size x hidden_size)", intermediateSize, hiddenSize);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException(name + ": num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException(name + ": head_dim " + headDim + " must be even (RoPE)");
        if (modelType.equals("qwen2") && headDim * numAttentionHeads != hiddenSize) {
            throw new IllegalArgumentException(name + ": head_dim is hidden_size / num_attention_heads = "
                    + hiddenSize + " / " + numAttentionHeads + " in Qwen2, got " + headDim);
        }
        if (!modelType.equals("llama") && mlpBias) throw new IllegalArgumentException(name + ": has no mlp_bias");
        if ((modelType.equals("qwen2") || modelType.equals("mistral")) && attentionBias) {
            throw new IllegalArgumentException(name + ": has no attention_bias setting");
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException(name + ": sliding_window must be >= 0, got " + slidingWindow);
        }
        if (modelType.equals("llama") && slidingWindow != 0) {
            throw new IllegalArgumentException(name + ": Llama has no sliding_window");
        }
        layerTypes = layerTypes == null ? defaultLayerTypes(numHiddenLayers, slidingWindow) : List.copyOf(layerTypes);
        if (layerTypes.size() != numHiddenLayers) {
            throw new IllegalArgumentException(name + ": layer_types has " + layerTypes.size() + " entries for "
                    + numHiddenLayers + " layers");
        }
        for (String type : layerTypes) {
            if (!type.equals(FULL) && !type.equals(SLIDING)) {
                throw new IllegalArgumentException(name + ": layer_types entry '" + type + "' is not " + FULL
                        + " or " + SLIDING);
            }
            if (type.equals(SLIDING) && slidingWindow == 0) {
                throw new IllegalArgumentException(name + ": layer_types has " + SLIDING + " but no sliding_window");
            }
        }
        if (modelType.equals("mistral") && !layerTypes.equals(defaultLayerTypes(numHiddenLayers, slidingWindow))) {
            throw new IllegalArgumentException(name + ": the sliding window covers every layer or none");
        }
        raw = raw == null ? ConfigJson.MAPPER.createObjectNode() : raw.deepCopy();
    }

    private static List<String> defaultLayerTypes(int layers, int window) {
        return Collections.nCopies(Math.max(layers, 0), window > 0 ? SLIDING : FULL);
    }

    /** A builder holding transformers' {@code LlamaConfig} defaults (Llama 7B's sizes, no tying, RoPE theta 10000). */
    public static Builder builder() {
        return builder("llama");
    }

    /**
     * A builder holding the defaults of transformers' configuration class for {@code modelType}: Mistral 7B's sizes
     * and a 4096-key window, or Qwen's vocabulary of 151936 with Qwen3's head_dim of 128.
     */
    public static Builder builder(String modelType) {
        Builder b = new Builder();
        b.modelType = modelType;
        switch (modelType) {
            case "llama" -> { }
            case "mistral" -> b.intermediateSize(14336).numKeyValueHeads(8).maxPositionEmbeddings(4096 * 32)
                    .slidingWindow(4096);
            case "qwen2", "qwen3" -> {
                b.vocabSize(151936).intermediateSize(22016).maxPositionEmbeddings(32768).bosTokenId(-1).eosTokenId(-1);
                if (modelType.equals("qwen3")) b.headDim(128);
            }
            default -> throw new IllegalArgumentException("LlamaConfig: model_type '" + modelType + "' is not one of "
                    + ARCHITECTURES.keySet());
        }
        return b;
    }

    /**
     * A named configuration: {@code llama-7b} (transformers' defaults), {@code tinyllama-1.1b} (TinyLlama's shape,
     * grouped-query attention), {@code llama-16m} (L4 C256 on GPT-2's vocabulary, tied: the size of the training step
     * benchmark's small GPT-2) and {@code tiny-llama} (L2 C16, the shape of the Hugging Face fixture model).
     */
    public static LlamaConfig preset(String name) {
        return switch (name) {
            case "llama-7b" -> builder().build();
            case "tinyllama-1.1b" -> builder().hiddenSize(2048).intermediateSize(5632).numHiddenLayers(22)
                    .numKeyValueHeads(4).rmsNormEps(1e-5).build();
            case "llama-16m" -> builder().vocabSize(50257).hiddenSize(256).intermediateSize(688).numHiddenLayers(4)
                    .numAttentionHeads(4).maxPositionEmbeddings(1024).tieWordEmbeddings(true).bosTokenId(50256)
                    .eosTokenId(50256).build();
            case "tiny-llama" -> builder().vocabSize(50257).hiddenSize(16).intermediateSize(44).numHiddenLayers(2)
                    .numAttentionHeads(4).numKeyValueHeads(2).maxPositionEmbeddings(64).bosTokenId(50256)
                    .eosTokenId(50256).build();
            default -> throw new IllegalArgumentException("LlamaConfig: no preset '" + name + "' (presets: "
                    + PRESETS + ")");
        };
    }

    /**
     * Reads a parsed {@code config.json} of any of the four model types, in transformers 4.x layout
     * ({@code rope_theta}, {@code rope_scaling}, {@code torch_dtype}) or 5.x layout ({@code rope_parameters},
     * {@code dtype}); absent fields take the class's defaults. Settings jtune does not run are refused naming the key.
     */
    public static LlamaConfig from(ConfigJson c) {
        return LlamaConfigJson.read(c);
    }

    /** A builder holding this configuration's values, to make a modified copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.modelType = modelType;
        b.vocabSize(vocabSize).hiddenSize(hiddenSize).intermediateSize(intermediateSize)
                .numHiddenLayers(numHiddenLayers).numAttentionHeads(numAttentionHeads)
                .maxPositionEmbeddings(maxPositionEmbeddings).rmsNormEps(rmsNormEps).ropeTheta(ropeTheta)
                .ropeScaling(ropeScaling).attentionBias(attentionBias).mlpBias(mlpBias).slidingWindow(slidingWindow)
                .tieWordEmbeddings(tieWordEmbeddings).initializerRange(initializerRange).bosTokenId(bosTokenId)
                .eosTokenId(eosTokenId).padTokenId(padTokenId).raw(raw);
        // derived defaults (key/value heads = heads, head_dim = hidden / heads, layer types) follow changed sizes
        if (numKeyValueHeads != numAttentionHeads) b.numKeyValueHeads(numKeyValueHeads);
        if (!modelType.equals("qwen2") && (modelType.equals("qwen3") || headDim != hiddenSize / numAttentionHeads)) {
            b.headDim(headDim);
        }
        if (!layerTypes.equals(defaultLayerTypes(numHiddenLayers, slidingWindow))) b.layerTypes(layerTypes);
        return b;
    }

    /** The transformers class of this model type, e.g. {@code Qwen2ForCausalLM}. */
    public String architecture() {
        return ARCHITECTURES.get(modelType);
    }

    /** Whether q_proj, k_proj and v_proj have a bias: always in Qwen2, else with {@code attention_bias}. */
    public boolean qkvBias() {
        return modelType.equals("qwen2") || attentionBias;
    }

    /** Whether o_proj has a bias: never in Qwen2, else with {@code attention_bias}. */
    public boolean oProjBias() {
        return !modelType.equals("qwen2") && attentionBias;
    }

    /** Whether q and k are RMS-normalised per head before RoPE ({@code q_norm}, {@code k_norm}): Qwen3. */
    public boolean qkNorm() {
        return modelType.equals("qwen3");
    }

    /** The sliding window of {@code layer}: how many keys (its own included) a query sees, or 0 for all. */
    public int window(int layer) {
        return layerTypes.get(layer).equals(SLIDING) ? slidingWindow : 0;
    }

    @Override
    public int maxPositions() {
        return maxPositionEmbeddings;
    }

    @Override
    public long numParameters() {
        long h = hiddenSize, q = (long) numAttentionHeads * headDim, kv = (long) numKeyValueHeads * headDim;
        long attention = h * q + 2 * h * kv + q * h + (qkvBias() ? q + 2 * kv : 0) + (oProjBias() ? h : 0)
                + (qkNorm() ? 2L * headDim : 0);
        long mlp = 3 * h * intermediateSize + (mlpBias ? 2L * intermediateSize + h : 0);
        long layer = attention + mlp + 2 * h;  // and two RMSNorm weights
        return vocabSize * h + numHiddenLayers * layer + h + (tieWordEmbeddings ? 0 : vocabSize * h);
    }

    @Override
    public LlamaConfig withVocabSize(int newVocabSize) {
        return toBuilder().vocabSize(newVocabSize).build();
    }

    @Override
    public LlamaConfig withPadTokenId(int newPadTokenId) {
        return toBuilder().padTokenId(newPadTokenId).build();
    }

    /** config.json in the layout it was read in (5.x for a config built in Java), with the keys its class writes. */
    @Override
    public ObjectNode toJson() {
        return LlamaConfigJson.write(this);
    }

    /** Builds a {@link LlamaConfig}; every field starts at transformers' default. Token ids of -1 mean none. */
    public static final class Builder {
        private String modelType = "llama";
        private int vocabSize = 32000, hiddenSize = 4096, intermediateSize = 11008, numHiddenLayers = 32;
        private int numAttentionHeads = 32;
        private Integer numKeyValueHeads;  // null: numAttentionHeads (multi-head attention)
        private Integer headDim;           // null: hiddenSize / numAttentionHeads
        private int maxPositionEmbeddings = 2048;
        private double rmsNormEps = 1e-6, ropeTheta = 10000;
        private RopeScaling ropeScaling;
        private boolean attentionBias, mlpBias, tieWordEmbeddings;
        private int slidingWindow;
        private List<String> layerTypes;   // null: every layer sliding when slidingWindow > 0, else none
        private double initializerRange = 0.02;
        private int bosTokenId = 1, eosTokenId = 2, padTokenId = -1;
        private ObjectNode raw;

        private Builder() {}

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder hiddenSize(int v) { hiddenSize = v; return this; }
        public Builder intermediateSize(int v) { intermediateSize = v; return this; }
        public Builder numHiddenLayers(int v) { numHiddenLayers = v; return this; }
        public Builder numAttentionHeads(int v) { numAttentionHeads = v; return this; }
        public Builder numKeyValueHeads(int v) { numKeyValueHeads = v; return this; }
        public Builder headDim(int v) { headDim = v; return this; }
        public Builder maxPositionEmbeddings(int v) { maxPositionEmbeddings = v; return this; }
        public Builder rmsNormEps(double v) { rmsNormEps = v; return this; }
        public Builder ropeTheta(double v) { ropeTheta = v; return this; }
        public Builder ropeScaling(RopeScaling v) { ropeScaling = v; return this; }
        public Builder attentionBias(boolean v) { attentionBias = v; return this; }
        public Builder mlpBias(boolean v) { mlpBias = v; return this; }
        public Builder slidingWindow(int v) { slidingWindow = v; return this; }
        public Builder layerTypes(List<String> v) { layerTypes = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        public Builder initializerRange(double v) { initializerRange = v; return this; }
        public Builder bosTokenId(int v) { bosTokenId = v; return this; }
        public Builder eosTokenId(int v) { eosTokenId = v; return this; }
        public Builder padTokenId(int v) { padTokenId = v; return this; }

        /** The config.json fields to keep when saving (those jtune does not model). */
        public Builder raw(ObjectNode v) { raw = v; return this; }

        public LlamaConfig build() {
            return new LlamaConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
                    numAttentionHeads, numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads,
                    headDim == null ? hiddenSize / numAttentionHeads : headDim, maxPositionEmbeddings, rmsNormEps,
                    ropeTheta, ropeScaling, attentionBias, mlpBias, slidingWindow, layerTypes, tieWordEmbeddings,
                    initializerRange, bosTokenId, eosTokenId, padTokenId, raw);
        }
    }
}
