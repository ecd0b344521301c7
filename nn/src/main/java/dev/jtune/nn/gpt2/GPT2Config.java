package dev.jtune.nn.gpt2;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.ConfigLimits;
import dev.jtune.nn.ModelConfig;
import java.util.List;
import java.util.Map;

/**
 * GPT-2's configuration under transformers' {@code GPT2Config} names. Make one with {@link #builder()} (transformers'
 * defaults, the 124M model), {@link #preset(String)} or {@link #from(ConfigJson)}; copy one with {@link #toBuilder()}.
 *
 * @param nInner the MLP width ({@code 4 * nEmbd} when config.json has null)
 * @param raw    the fields of the config.json this was read from, written back by {@link #toJson()}
 */
public record GPT2Config(int vocabSize, int nPositions, int nEmbd, int nLayer, int nHead, int nInner,
                         String activationFunction, double residPdrop, double embdPdrop, double attnPdrop,
                         double layerNormEpsilon, double initializerRange, boolean tieWordEmbeddings,
                         int bosTokenId, int eosTokenId, int padTokenId, ObjectNode raw) implements ModelConfig {

    /** The names {@link #preset(String)} knows. */
    public static final List<String> PRESETS =
            List.of("gpt2", "gpt2-medium", "gpt2-16m", "tweet-gpt2-small", "tiny-gpt2");

    public GPT2Config {
        ConfigLimits.positive("GPT2Config", Map.of("vocab_size", vocabSize, "n_positions", nPositions, "n_embd", nEmbd,
                "n_layer", nLayer, "n_head", nHead, "n_inner", nInner));
        if (nEmbd % nHead != 0) {
            throw new IllegalArgumentException("GPT2Config: n_embd " + nEmbd + " is not divisible by n_head " + nHead);
        }
        ConfigLimits.tensor("GPT2Config", "wte (vocab_size x n_embd)", vocabSize, nEmbd);
        ConfigLimits.tensor("GPT2Config", "wpe (n_positions x n_embd)", nPositions, nEmbd);
        ConfigLimits.tensor("GPT2Config", "c_attn (n_embd x 3 n_embd)", nEmbd, 3L * nEmbd);
        ConfigLimits.tensor("GPT2Config", "c_fc (n_embd x n_inner)", nEmbd, nInner);
        raw = raw == null ? ConfigJson.MAPPER.createObjectNode() : raw.deepCopy();
    }

    /** A builder holding transformers' defaults: the 124M {@code gpt2} model, dropout 0.1, gelu_new, tied head. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A named configuration: {@code gpt2} (124M), {@code gpt2-medium} (355M), {@code gpt2-16m} (L4 C256, the training
     * step benchmark's small model), {@code tweet-gpt2-small} (L4 C128, the shape of the reference fine-tune's model)
     * and {@code tiny-gpt2} (L2 C32, the shape of the Hugging Face fixture model, [PAD] included).
     */
    public static GPT2Config preset(String name) {
        return switch (name) {
            case "gpt2" -> builder().build();
            case "gpt2-medium" -> builder().nEmbd(1024).nLayer(24).nHead(16).build();
            case "gpt2-16m" -> builder().nEmbd(256).nLayer(4).nHead(4).build();
            case "tweet-gpt2-small" -> builder().nPositions(128).nEmbd(128).nLayer(4).nHead(4).dropout(0).build();
            case "tiny-gpt2" -> builder().vocabSize(50258).nPositions(64).nEmbd(32).nLayer(2).nHead(4).dropout(0)
                    .padTokenId(50257).build();
            default -> throw new IllegalArgumentException("GPT2Config: no preset '" + name + "' (presets: "
                    + PRESETS + ")");
        };
    }

    /**
     * Reads a parsed {@code config.json} (absent fields take transformers' defaults), rejecting what jtune does not run
     * and values no model has (sizes beyond {@link ConfigLimits#MAX_SIZE}, dropout outside [0, 1], a pad id beyond the vocab).
     */
    public static GPT2Config from(ConfigJson c) {
        c.require("gpt2".equals(c.modelType()), "model_type", "gpt2");
        c.require(!c.bool("scale_attn_by_inverse_layer_idx", false), "scale_attn_by_inverse_layer_idx", "false");
        c.require(c.bool("scale_attn_weights", true), "scale_attn_weights", "true");
        c.require(!c.bool("add_cross_attention", false), "add_cross_attention", "false");
        Builder d = builder();
        String act = c.string("activation_function", d.activationFunction);
        c.require(act.equals("gelu_new") || act.equals("gelu") || act.equals("gelu_pytorch_tanh") || act.equals("relu"),
                "activation_function", "gelu_new, gelu_pytorch_tanh, gelu, relu");
        int nEmbd = c.size("n_embd", d.nEmbd), vocab = c.size("vocab_size", d.vocabSize);
        d.vocabSize(vocab).nPositions(c.size("n_positions", d.nPositions))
                .nEmbd(nEmbd).nLayer(c.size("n_layer", d.nLayer)).nHead(c.size("n_head", d.nHead))
                .nInner(c.size("n_inner", 4 * nEmbd)).activationFunction(act)
                .residPdrop(c.probability("resid_pdrop", d.residPdrop))
                .embdPdrop(c.probability("embd_pdrop", d.embdPdrop)).attnPdrop(c.probability("attn_pdrop", d.attnPdrop))
                .layerNormEpsilon(c.positive("layer_norm_epsilon", d.layerNormEpsilon))
                .initializerRange(c.positive("initializer_range", d.initializerRange))
                .tieWordEmbeddings(c.bool("tie_word_embeddings", d.tieWordEmbeddings))
                .bosTokenId(c.tokenId("bos_token_id", d.bosTokenId)).eosTokenId(c.tokenId("eos_token_id", d.eosTokenId))
                .padTokenId(c.tokenId("pad_token_id", d.padTokenId, vocab)).raw(c.node());
        return c.build(d::build);
    }

    /** A builder holding this configuration's values, to make a modified copy. */
    public Builder toBuilder() {
        Builder b = builder().vocabSize(vocabSize).nPositions(nPositions).nEmbd(nEmbd).nLayer(nLayer).nHead(nHead)
                .activationFunction(activationFunction).residPdrop(residPdrop).embdPdrop(embdPdrop)
                .attnPdrop(attnPdrop).layerNormEpsilon(layerNormEpsilon).initializerRange(initializerRange)
                .tieWordEmbeddings(tieWordEmbeddings).bosTokenId(bosTokenId).eosTokenId(eosTokenId)
                .padTokenId(padTokenId).raw(raw);
        return nInner == 4 * nEmbd ? b : b.nInner(nInner);  // a default width follows a changed n_embd
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
    public long numParameters() {
        long c = nEmbd, inner = nInner;
        long attention = (c * 3 * c + 3 * c) + (c * c + c), mlp = (c * inner + inner) + (inner * c + c);
        long block = 2 * c + attention + 2 * c + mlp;  // ln_1, attn, ln_2, mlp
        long embeddings = vocabSize * c + nPositions * c;
        return embeddings + nLayer * block + 2 * c + (tieWordEmbeddings ? 0 : vocabSize * c);
    }

    @Override
    public GPT2Config withVocabSize(int newVocabSize) {
        return toBuilder().vocabSize(newVocabSize).build();
    }

    @Override
    public GPT2Config withPadTokenId(int newPadTokenId) {
        return toBuilder().padTokenId(newPadTokenId).build();
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

    /** Builds a {@link GPT2Config}; every field starts at transformers' default. Token ids of -1 mean none. */
    public static final class Builder {
        private int vocabSize = 50257, nPositions = 1024, nEmbd = 768, nLayer = 12, nHead = 12;
        private Integer nInner;  // null: 4 * nEmbd
        private String activationFunction = "gelu_new";
        private double residPdrop = 0.1, embdPdrop = 0.1, attnPdrop = 0.1;
        private double layerNormEpsilon = 1e-5, initializerRange = 0.02;
        private boolean tieWordEmbeddings = true;
        private int bosTokenId = 50256, eosTokenId = 50256, padTokenId = -1;
        private ObjectNode raw;

        private Builder() {}

        public Builder vocabSize(int v) { vocabSize = v; return this; }
        public Builder nPositions(int v) { nPositions = v; return this; }
        public Builder nEmbd(int v) { nEmbd = v; return this; }
        public Builder nLayer(int v) { nLayer = v; return this; }
        public Builder nHead(int v) { nHead = v; return this; }
        public Builder nInner(int v) { nInner = v; return this; }
        public Builder activationFunction(String v) { activationFunction = v; return this; }
        public Builder residPdrop(double v) { residPdrop = v; return this; }
        public Builder embdPdrop(double v) { embdPdrop = v; return this; }
        public Builder attnPdrop(double v) { attnPdrop = v; return this; }

        /** The same dropout probability for resid, embd and attn. */
        public Builder dropout(double p) { return residPdrop(p).embdPdrop(p).attnPdrop(p); }

        public Builder layerNormEpsilon(double v) { layerNormEpsilon = v; return this; }
        public Builder initializerRange(double v) { initializerRange = v; return this; }
        public Builder tieWordEmbeddings(boolean v) { tieWordEmbeddings = v; return this; }
        public Builder bosTokenId(int v) { bosTokenId = v; return this; }
        public Builder eosTokenId(int v) { eosTokenId = v; return this; }
        public Builder padTokenId(int v) { padTokenId = v; return this; }

        /** The config.json fields to keep when saving (those jtune does not model, such as {@code summary_type}). */
        public Builder raw(ObjectNode v) { raw = v; return this; }

        public GPT2Config build() {
            return new GPT2Config(vocabSize, nPositions, nEmbd, nLayer, nHead, nInner == null ? 4 * nEmbd : nInner,
                    activationFunction, residPdrop, embdPdrop, attnPdrop, layerNormEpsilon, initializerRange,
                    tieWordEmbeddings, bosTokenId, eosTokenId, padTokenId, raw);
        }
    }
}
