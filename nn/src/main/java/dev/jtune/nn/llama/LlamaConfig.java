package dev.jtune.nn.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.ModelConfig;

/**
 * Llama's configuration under transformers' {@code LlamaConfig} names and defaults. Only the default RoPE is
 * supported; any {@code rope_scaling} / non-default {@code rope_type} is rejected at load.
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numHiddenLayers,
                          int numAttentionHeads, int numKeyValueHeads, int headDim, int maxPositionEmbeddings,
                          double rmsNormEps, double ropeTheta, boolean attentionBias, boolean mlpBias,
                          boolean tieWordEmbeddings, double initializerRange, int bosTokenId, int eosTokenId,
                          int padTokenId, ObjectNode raw) implements ModelConfig {

    public LlamaConfig {
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("LlamaConfig: num_attention_heads " + numAttentionHeads
                    + " is not a multiple of num_key_value_heads " + numKeyValueHeads);
        }
        raw = raw == null ? ConfigJson.MAPPER.createObjectNode() : raw.deepCopy();
    }

    /** A small configuration with transformers' defaults for everything but the sizes. */
    public static LlamaConfig of(int vocabSize, int hidden, int intermediate, int layers, int heads, int kvHeads) {
        return new LlamaConfig(vocabSize, hidden, intermediate, layers, heads, kvHeads, hidden / heads, 2048, 1e-6,
                10000, false, false, false, 0.02, 1, 2, -1, null);
    }

    /** Reads a parsed {@code config.json}, rejecting what this implementation does not run. */
    public static LlamaConfig from(ConfigJson c) {
        c.require("llama".equals(c.modelType()), "model_type", "llama");
        c.require("silu".equals(c.string("hidden_act", "silu")), "hidden_act", "silu");
        c.require(c.node().path("rope_scaling").isNull() || c.node().path("rope_scaling").isMissingNode(),
                "rope_scaling", "null (default RoPE)");
        JsonNode rope = c.node().path("rope_parameters");
        double theta = c.number("rope_theta", 10000);
        if (rope.isObject()) {
            String type = rope.path("rope_type").asText("default");
            c.require(type.equals("default"), "rope_parameters", "rope_type 'default'");
            theta = rope.path("rope_theta").asDouble(theta);
        }
        c.require(c.node().path("sliding_window").isNull() || c.node().path("sliding_window").isMissingNode(),
                "sliding_window", "null");
        c.require(c.integer("pretraining_tp", 1) == 1, "pretraining_tp", "1");
        c.require(c.number("attention_dropout", 0) == 0, "attention_dropout", "0 (no dropout in Llama)");
        int hidden = c.integer("hidden_size", 4096), heads = c.integer("num_attention_heads", 32);
        return new LlamaConfig(c.integer("vocab_size", 32000), hidden, c.integer("intermediate_size", 11008),
                c.integer("num_hidden_layers", 32), heads, c.integer("num_key_value_heads", heads),
                c.integer("head_dim", hidden / heads), c.integer("max_position_embeddings", 2048),
                c.number("rms_norm_eps", 1e-6), theta, c.bool("attention_bias", false), c.bool("mlp_bias", false),
                c.bool("tie_word_embeddings", false), c.number("initializer_range", 0.02), c.tokenId("bos_token_id"),
                c.tokenId("eos_token_id"), c.tokenId("pad_token_id"), c.node());
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
    public LlamaConfig withVocab(int newVocabSize, int newPadTokenId) {
        return new LlamaConfig(newVocabSize, hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads,
                numKeyValueHeads, headDim, maxPositionEmbeddings, rmsNormEps, ropeTheta, attentionBias, mlpBias,
                tieWordEmbeddings, initializerRange, bosTokenId, eosTokenId, newPadTokenId, raw);
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
}
