package dev.jtune.nn.gpt2;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.ModelConfig;

/**
 * GPT-2's configuration under transformers' {@code GPT2Config} names and defaults (the 124M model).
 *
 * @param nInner the MLP width; {@code 4 * nEmbd} when config.json has null
 */
public record GPT2Config(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, int nInner,
                         String activationFunction, double residPdrop, double embdPdrop, double attnPdrop,
                         double layerNormEpsilon, double initializerRange, boolean tieWordEmbeddings,
                         int bosTokenId, int eosTokenId, int padTokenId, ObjectNode raw) implements ModelConfig {

    public GPT2Config {
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("GPT2Config: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        raw = raw == null ? ConfigJson.MAPPER.createObjectNode() : raw.deepCopy();
    }

    /** A configuration with transformers' defaults for the given sizes (dropout 0.1, gelu_new, tied head). */
    public static GPT2Config of(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead) {
        return new GPT2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, 4 * nEmbd, "gelu_new", 0.1, 0.1, 0.1,
                1e-5, 0.02, true, 50256, 50256, -1, null);
    }

    /** Reads a parsed {@code config.json}, rejecting settings this implementation does not run. */
    public static GPT2Config from(ConfigJson c) {
        c.require("gpt2".equals(c.modelType()), "model_type", "gpt2");
        String act = c.string("activation_function", "gelu_new");
        c.require(act.equals("gelu_new") || act.equals("gelu") || act.equals("gelu_pytorch_tanh") || act.equals("relu"),
                "activation_function", "gelu_new, gelu_pytorch_tanh, gelu, relu");
        c.require(!c.bool("scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx", "false");
        c.require(c.bool("scale_attn_weights", true), "scale_attn_weights", "true");
        c.require(!c.bool("add_cross_attention", false), "add_cross_attention", "false");
        int nEmbd = c.integer("n_embd", 768);
        return new GPT2Config(c.integer("vocab_size", 50257), c.integer("n_positions", 1024), nEmbd,
                c.integer("n_layer", 12), c.integer("n_head", 12), c.integer("n_inner", 4 * nEmbd), act,
                c.number("resid_pdrop", 0.1), c.number("embd_pdrop", 0.1), c.number("attn_pdrop", 0.1),
                c.number("layer_norm_epsilon", 1e-5), c.number("initializer_range", 0.02),
                c.bool("tie_word_embeddings", true), c.tokenId("bos_token_id"), c.tokenId("eos_token_id"),
                c.tokenId("pad_token_id"), c.node());
    }

    /** A copy with other special token ids (-1 for none). */
    public GPT2Config withTokenIds(int bos, int eos, int pad) {
        return new GPT2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInner, activationFunction, residPdrop,
                embdPdrop, attnPdrop, layerNormEpsilon, initializerRange, tieWordEmbeddings, bos, eos, pad, raw);
    }

    /** A copy with other dropout probabilities (resid, embd, attn). */
    public GPT2Config withDropout(double p) {
        return new GPT2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInner, activationFunction, p, p, p,
                layerNormEpsilon, initializerRange, tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, raw);
    }

    @Override
    public String modelType() {
        return "gpt2";
    }

    @Override
    public int maxPositions() {
        return nPositions;
    }

    @Override
    public GPT2Config withVocab(int newVocabSize, int newPadTokenId) {
        return new GPT2Config(newVocabSize, nPositions, nEmbd, nLayer, nHead, nInner, activationFunction, residPdrop,
                embdPdrop, attnPdrop, layerNormEpsilon, initializerRange, tieWordEmbeddings, bosTokenId, eosTokenId,
                newPadTokenId, raw);
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode j = raw.deepCopy();
        j.put("model_type", "gpt2");
        if (!j.has("architectures")) j.putArray("architectures").add("GPT2LMHeadModel");
        j.put("vocab_size", vocabSize).put("n_positions", nPositions).put("n_embd", nEmbd).put("n_layer", nLayer)
                .put("n_head", nHead).put("activation_function", activationFunction).put("resid_pdrop", residPdrop)
                .put("embd_pdrop", embdPdrop).put("attn_pdrop", attnPdrop).put("layer_norm_epsilon", layerNormEpsilon)
                .put("initializer_range", initializerRange).put("tie_word_embeddings", tieWordEmbeddings)
                .put("dtype", "float32");
        if (nInner == 4 * nEmbd) j.putNull("n_inner"); else j.put("n_inner", nInner);
        ConfigJson.putTokenId(j, "bos_token_id", bosTokenId);
        ConfigJson.putTokenId(j, "eos_token_id", eosTokenId);
        ConfigJson.putTokenId(j, "pad_token_id", padTokenId);
        return j;
    }
}
