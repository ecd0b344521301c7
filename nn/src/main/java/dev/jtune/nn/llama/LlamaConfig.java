package dev.jtune.nn.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.ConfigLimits;
import dev.jtune.nn.ModelConfig;
import java.util.List;
import java.util.Map;

/**
 * Llama's configuration under transformers' {@code LlamaConfig} names. Make one with {@link #builder()}
 * (transformers' defaults), {@link #preset(String)} or {@link #from(ConfigJson)}; copy one with {@link #toBuilder()}.
 * Only the default RoPE is supported; any {@code rope_scaling} / non-default {@code rope_type} is rejected at load.
 *
 * @param raw the fields of the config.json this was read from, written back by {@link #toJson()}
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                          double rmsNormEps, double ropeTheta, boolean attentionBias, boolean mlpBias,
                          boolean tieWordEmbeddings, double initializerRange, int bosTokenId, int eosTokenId,
                          int padTokenId, ObjectNode raw) implements ModelConfig {

    /** The names {@link #preset(String)} knows. */
    public static final List<String> PRESETS = List.of("llama-7b", "tinyllama-1.1b", "llama-16m", "tiny-llama");

    public LlamaConfig {
        ConfigLimits.positive("LlamaConfig", Map.of("vocab_size", vocabSize, "hidden_size", hiddenSize,
                "intermediate_size", intermediateSize, "num_hidden_layers", numHiddenLayers,
                "num_attention_heads", numAttentionHeads, "num_key_value_heads", numKeyValueHeads, "head_dim", headDim,
                "max_position_embeddings", maxPositionEmbeddings));
        ConfigLimits.tensor("LlamaConfig", "embed_tokens (vocab_size x hidden_size)", vocabSize, hiddenSize);
        ConfigLimits.tensor("LlamaConfig", "q_proj (num_attention_heads x head_dim x hidden_size)",
                (long) numAttentionHeads * headDim, hiddenSize);
        ConfigLimits.tensor("LlamaConfig", "gate_proj (intermediate_size x hidden_size)", intermediateSize, hiddenSize);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("LlamaConfig: num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        raw = raw == null ? ConfigJson.MAPPER.createObjectNode() : raw.deepCopy();
    }

    /** A builder holding transformers' defaults (Llama 7B's sizes, no tying, RoPE theta 10000). */
    public static Builder builder() {
        return new Builder();
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
     * Reads a parsed {@code config.json} (absent fields take transformers' defaults), rejecting what jtune does not run
     * and values no model has (sizes beyond {@link ConfigLimits#MAX_SIZE}, dropout outside [0, 1], a pad id beyond the vocab).
     */
    public static LlamaConfig from(ConfigJson c) {
        c.require("llama".equals(c.modelType()), "model_type", "llama");
        c.require("silu".equals(c.string("hidden_act", "silu")), "hidden_act", "silu");
        c.require(c.node().path("rope_scaling").isNull() || c.node().path("rope_scaling").isMissingNode(),
                "rope_scaling", "null (default RoPE)");
        Builder d = builder();
        JsonNode rope = c.node().path("rope_parameters");
        double theta = c.positive("rope_theta", d.ropeTheta);
        if (rope.isObject()) {
            String type = rope.path("rope_type").asText("default");
            c.require(type.equals("default"), "rope_parameters", "rope_type 'default'");
            theta = rope.path("rope_theta").asDouble(theta);
            c.require(theta > 0 && Double.isFinite(theta), "rope_parameters", "a positive rope_theta");
        }
        c.require(c.node().path("sliding_window").isNull() || c.node().path("sliding_window").isMissingNode(),
                "sliding_window", "null");
        c.require(c.integer("pretraining_tp", 1) == 1, "pretraining_tp", "1");
        c.require(c.number("attention_dropout", 0) == 0, "attention_dropout", "0 (no dropout in Llama)");
        int hidden = c.size("hidden_size", d.hiddenSize);
        int heads = c.size("num_attention_heads", d.numAttentionHeads);
        int vocab = c.size("vocab_size", d.vocabSize);
        d.vocabSize(vocab).hiddenSize(hidden)
                .intermediateSize(c.size("intermediate_size", d.intermediateSize))
                .numHiddenLayers(c.size("num_hidden_layers", d.numHiddenLayers)).numAttentionHeads(heads)
                .numKeyValueHeads(c.size("num_key_value_heads", heads)).headDim(c.size("head_dim", hidden / heads))
                .maxPositionEmbeddings(c.size("max_position_embeddings", d.maxPositionEmbeddings))
                .rmsNormEps(c.positive("rms_norm_eps", d.rmsNormEps)).ropeTheta(theta)
                .attentionBias(c.bool("attention_bias", d.attentionBias)).mlpBias(c.bool("mlp_bias", d.mlpBias))
                .tieWordEmbeddings(c.bool("tie_word_embeddings", d.tieWordEmbeddings))
                .initializerRange(c.positive("initializer_range", d.initializerRange))
                .bosTokenId(c.tokenId("bos_token_id", d.bosTokenId)).eosTokenId(c.tokenId("eos_token_id", d.eosTokenId))
                .padTokenId(c.tokenId("pad_token_id", d.padTokenId, vocab)).raw(c.node());
        return c.build(d::build);
    }

    /** A builder holding this configuration's values, to make a modified copy. */
    public Builder toBuilder() {
        Builder b = builder().vocabSize(vocabSize).hiddenSize(hiddenSize).intermediateSize(intermediateSize)
                .numHiddenLayers(numHiddenLayers).numAttentionHeads(numAttentionHeads)
                .maxPositionEmbeddings(maxPositionEmbeddings).rmsNormEps(rmsNormEps).ropeTheta(ropeTheta)
                .attentionBias(attentionBias).mlpBias(mlpBias).tieWordEmbeddings(tieWordEmbeddings)
                .initializerRange(initializerRange).bosTokenId(bosTokenId).eosTokenId(eosTokenId)
                .padTokenId(padTokenId).raw(raw);
        // derived defaults (key/value heads = heads, head_dim = hidden / heads) follow changed sizes
        if (numKeyValueHeads != numAttentionHeads) b.numKeyValueHeads(numKeyValueHeads);
        if (headDim != hiddenSize / numAttentionHeads) b.headDim(headDim);
        return b;
    }

    @Override
    public String modelType() {
        return "llama";
    }

    @Override
    public int maxPositions() {
        return maxPositionEmbeddings;
    }

    @Override
    public long numParameters() {
        long h = hiddenSize, q = (long) numAttentionHeads * headDim, kv = (long) numKeyValueHeads * headDim;
        long attention = h * q + 2 * h * kv + q * h + (attentionBias ? q + 2 * kv + h : 0);
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

    @Override
    public ObjectNode toJson() {
        ObjectNode j = raw.deepCopy();
        j.put("model_type", "llama");
        if (!j.has("architectures")) j.putArray("architectures").add("LlamaForCausalLM");
        j.put("vocab_size", vocabSize).put("hidden_size", hiddenSize).put("intermediate_size", intermediateSize)
                .put("num_hidden_layers", numHiddenLayers).put("num_attention_heads", numAttentionHeads)
                .put("num_key_value_heads", numKeyValueHeads).put("head_dim", headDim)
                .put("max_position_embeddings", maxPositionEmbeddings).put("rms_norm_eps", rmsNormEps)
                .put("attention_bias", attentionBias).put("mlp_bias", mlpBias).put("hidden_act", "silu")
                .put("tie_word_embeddings", tieWordEmbeddings).put("initializer_range", initializerRange)
                .put("dtype", "float32");
        j.remove("rope_theta");
        j.putObject("rope_parameters").put("rope_theta", ropeTheta).put("rope_type", "default");
        ConfigJson.putTokenId(j, "bos_token_id", bosTokenId);
        ConfigJson.putTokenId(j, "eos_token_id", eosTokenId);
        ConfigJson.putTokenId(j, "pad_token_id", padTokenId);
        return j;
    }

    /** Builds a {@link LlamaConfig}; every field starts at transformers' default. Token ids of -1 mean none. */
    public static final class Builder {
        private int vocabSize = 32000, hiddenSize = 4096, intermediateSize = 11008, numHiddenLayers = 32;
        private int numAttentionHeads = 32;
        private Integer numKeyValueHeads;  // null: numAttentionHeads (multi-head attention)
        private Integer headDim;           // null: hiddenSize / numAttentionHeads
        private int maxPositionEmbeddings = 2048;
        private double rmsNormEps = 1e-6, ropeTheta = 10000;
        private boolean attentionBias, mlpBias, tieWordEmbeddings;
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
        public Builder attentionBias(boolean v) { attentionBias = v; return this; }
        public Builder mlpBias(boolean v) { mlpBias = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        public Builder initializerRange(double v) { initializerRange = v; return this; }
        public Builder bosTokenId(int v) { bosTokenId = v; return this; }
        public Builder eosTokenId(int v) { eosTokenId = v; return this; }
        public Builder padTokenId(int v) { padTokenId = v; return this; }

        /** The config.json fields to keep when saving (those jtune does not model). */
        public Builder raw(ObjectNode v) { raw = v; return this; }

        public LlamaConfig build() {
            return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                    numKeyValueHeads == null ? numAttentionHeads : numKeyValueHeads,
                    headDim == null ? hiddenSize / numAttentionHeads : headDim, maxPositionEmbeddings, rmsNormEps,
                    ropeTheta, attentionBias, mlpBias, tieWordEmbeddings, initializerRange, bosTokenId, eosTokenId,
                    padTokenId, raw);
        }
    }
}
