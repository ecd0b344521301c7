package dev.jtune.nn.gpt2;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.EmbeddingResize;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Module;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;

/**
 * GPT-2 with a language-modelling head, as transformers' {@code GPT2LMHeadModel}: learned positions, pre-LayerNorm
 * blocks, a gelu_new MLP, and an output head tied to the token embedding. Parameter names match Hugging Face's.
 */
public final class GPT2LMHeadModel extends PreTrainedCausalLM {

    private GPT2Config config;
    private final GPT2Model transformer;
    private final LmHead lmHead;
    private final Generator dropoutGenerator;

    /** A model with weights drawn like transformers' init (normal(0, initializer_range), LayerNorm 1 and 0). */
    public GPT2LMHeadModel(GPT2Config config, long seed) {
        this.config = config;
        Generator init = new Generator(seed);
        dropoutGenerator = new Generator(seed + 1);
        transformer = registerModule("transformer", new GPT2Model(config, init, dropoutGenerator));
        Parameter head = config.tieWordEmbeddings() ? transformer.wte.weight
                : new Parameter(transformer.wte.weight.value().clone());
        lmHead = registerModule("lm_head", new LmHead(head));
    }

    @Override
    public GPT2Config config() {
        return config;
    }

    @Override
    public Generator dropoutGenerator() {
        return dropoutGenerator;
    }

    @Override
    public Parameter inputEmbeddings() {
        return transformer.wte.weight;
    }

    @Override
    public KVCache newCache() {
        return new KVCache(config.nLayer());
    }

    @Override
    public Tensor logits(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        if (inputIds.dim() != 2) throw new IllegalArgumentException("GPT-2: input_ids must be [B, T], got " + inputIds.shapeString());
        int b = inputIds.size(0), t = inputIds.size(1);
        int past = cache == null ? 0 : cache.length();
        if (past + t > config.nPositions()) {
            throw new IllegalArgumentException("GPT-2: a sequence of " + (past + t) + " tokens exceeds n_positions = "
                    + config.nPositions());
        }
        Tensor positions = positionIds != null ? positionIds
                : Tensor.arange(past, past + t, 1, DType.I64).unsqueeze(0).expand(b, t);
        Tensor hidden = transformer.forward(inputIds, positions, attentionMask, cache);  // (B, T, C)
        return hidden.matmul(lmHead.weight.value().t());                                 // (B, T, V)
    }

    @Override
    public int resizeTokenEmbeddings(int newSize) {
        Parameter wte = transformer.wte.weight;
        wte.set(EmbeddingResize.resized(wte.value(), newSize));
        if (lmHead.weight != wte) lmHead.weight.set(EmbeddingResize.resized(lmHead.weight.value(), newSize));
        config = config.withVocabSize(newSize);
        return newSize;
    }

    /** Sets {@code pad_token_id} in the config (saved to config.json). */
    public void setPadTokenId(int id) {
        config = config.withPadTokenId(id);
    }

    /** {@code lm_head}: the output projection {@code [V, C]}, by default the token embedding itself. */
    private static final class LmHead extends Module {
        final Parameter weight;

        LmHead(Parameter weight) {
            this.weight = registerParameter("weight", weight);
        }
    }
}
