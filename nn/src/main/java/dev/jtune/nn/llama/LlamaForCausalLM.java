package dev.jtune.nn.llama;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Layers;
import dev.jtune.nn.Layers.Embedding;
import dev.jtune.nn.Layers.Linear;
import dev.jtune.nn.Layers.RMSNorm;
import dev.jtune.nn.Module;
import dev.jtune.nn.ModuleList;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import java.util.ArrayList;
import java.util.List;

/**
 * Llama with a language-modelling head, as transformers' {@code LlamaForCausalLM}: RoPE, grouped-query attention,
 * a SwiGLU MLP and RMSNorm; the head may be tied to the embedding or not. The same class runs {@code MistralForCausalLM},
 * {@code Qwen2ForCausalLM} and {@code Qwen3ForCausalLM} (and SmolLM, a tied Llama): their differences are switches of
 * {@link LlamaConfig}.
 */
public final class LlamaForCausalLM extends PreTrainedCausalLM {

    private final LlamaModel model;
    private final Linear lmHead;

    public LlamaForCausalLM(LlamaConfig config, long seed) {
        this(config, new Generator(seed));
    }

    /** @param init draws the weights (normal(0, initializer_range)); null leaves them at zero for a checkpoint to fill */
    public LlamaForCausalLM(LlamaConfig config, Generator init) {
        super(config);
        model = registerModule("model", new LlamaModel(config, init));
        lmHead = registerModule("lm_head", config.tieWordEmbeddings()
                ? new Linear(model.embedTokens.weight, null)
                : new Linear(config.hiddenSize(), config.vocabSize(), false, init, config.initializerRange()));
    }

    @Override
    public LlamaConfig config() {
        return (LlamaConfig) super.config();
    }

    @Override
    public Parameter inputEmbeddings() {
        return model.embedTokens.weight;
    }

    @Override
    public Parameter outputEmbeddings() {
        return lmHead.weight;
    }

    @Override
    public KVCache newCache() {
        KVCache cache = new KVCache(config().numHiddenLayers());
        for (int i = 0; i < config().numHiddenLayers(); i++) cache.withWindow(i, config().window(i));
        return cache;
    }

    @Override
    public Tensor outputHead(Tensor hidden) {
        return lmHead.forward(hidden);
    }

    @Override
    public Tensor hiddenStates(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        if (inputIds.dim() != 2) throw new IllegalArgumentException("Llama: input_ids must be [B, T], got " + inputIds.shapeString());
        int b = inputIds.size(0), t = inputIds.size(1);
        int past = cache == null ? 0 : cache.length();
        Tensor positions = positionIds != null ? positionIds
                : Tensor.arange(past, past + t, 1, DType.I64).unsqueeze(0).expand(b, t);
        return model.forward(inputIds, positions, attentionMask, cache, config().padTokenId());
    }

    @Override
    public String bodyName() {
        return "model";
    }

    /** {@code model.*}: the embedding, the decoder layers and the final norm. */
    private static final class LlamaModel extends Module {
        final Embedding embedTokens;
        private final ModuleList<LlamaDecoderLayer> layers;
        private final RMSNorm norm;
        private final Rope rope;

        LlamaModel(LlamaConfig config, Generator init) {
            embedTokens = registerModule("embed_tokens", new Embedding(config.vocabSize(), config.hiddenSize(), init,
                    config.initializerRange()));
            List<LlamaDecoderLayer> list = new ArrayList<>();
            for (int i = 0; i < config.numHiddenLayers(); i++) list.add(new LlamaDecoderLayer(config, i, init));
            layers = registerModule("layers", new ModuleList<>(list));
            norm = registerModule("norm", new RMSNorm(config.hiddenSize(), config.rmsNormEps()));
            rope = new Rope(config);
        }

        /** [B, T] ids → [B, T, C] final hidden states. */
        Tensor forward(Tensor inputIds, Tensor positions, Tensor mask, KVCache cache, int padTokenId) {
            Tensor x = embedTokens.forward(inputIds);  // (B, T, C)
            if (padTokenId >= 0 && x.requiresGrad()) x = Tensor.where(isToken(inputIds, padTokenId), x.detach(), x);
            Tensor[] cosSin = rope.cosSin(positions);
            for (LlamaDecoderLayer layer : layers) x = Layers.blockForward(x, in -> layer.forward(in, cosSin, mask, cache));
            return norm.forward(x);
        }

        /**
         * [B, T, 1]: 1 where the id is {@code pad_token_id}. transformers builds the embedding with
         * {@code padding_idx=pad_token_id}, so the lookup of that row passes it no gradient (a tied head still does).
         */
        private static Tensor isToken(Tensor ids, int token) {
            long[] all = ids.toLongArray();
            float[] hit = new float[all.length];
            for (int i = 0; i < all.length; i++) hit[i] = all[i] == token ? 1 : 0;
            return Tensor.of(hit, ids.size(0), ids.size(1), 1);
        }
    }
}
