package dev.jtune.nn.gpt2;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Layers.Linear;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GPT-2 with a language-modelling head, as transformers' {@code GPT2LMHeadModel}: learned positions, pre-LayerNorm
 * blocks, a gelu_new MLP, and an output head {@code lm_head} tied to the token embedding unless the config says
 * {@code tie_word_embeddings: false}. Parameter names match Hugging Face's.
 */
public final class GPT2LMHeadModel extends PreTrainedCausalLM {

    private final GPT2Model transformer;
    private final Linear lmHead;
    private final Generator dropoutGenerator;

    /** A model with weights drawn like transformers' init (normal(0, initializer_range), LayerNorm 1 and 0). */
    public GPT2LMHeadModel(GPT2Config config, long seed) {
        this(config, new Generator(seed), new Generator(seed + 1));
    }

    /**
     * @param init    draws the weights; null leaves them at zero for a checkpoint to fill
     * @param dropout draws the dropout masks
     */
    public GPT2LMHeadModel(GPT2Config config, Generator init, Generator dropout) {
        super(config);
        dropoutGenerator = dropout;
        transformer = registerModule("transformer", new GPT2Model(config, init, dropoutGenerator));
        lmHead = registerModule("lm_head", config.tieWordEmbeddings()
                ? new Linear(transformer.wte.weight, null)
                : new Linear(config.nEmbd(), config.vocabSize(), false, init, config.initializerRange()));
    }

    @Override
    public GPT2Config config() {
        return (GPT2Config) super.config();
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
    public Parameter outputEmbeddings() {
        return lmHead.weight;
    }

    @Override
    public KVCache newCache() {
        return new KVCache(config().nLayer());
    }

    @Override
    public Tensor outputHead(Tensor hidden) {
        return lmHead.forward(hidden);
    }

    @Override
    public Tensor hiddenStates(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        if (inputIds.dim() != 2) {
            throw new IllegalArgumentException("GPT-2: input_ids must be [B, T], got " + inputIds.shapeString());
        }
        int b = inputIds.size(0), t = inputIds.size(1);
        int past = cache == null ? 0 : cache.length();
        if (past + t > config().nPositions()) {
            throw new IllegalArgumentException("GPT-2: a sequence of " + (past + t) + " tokens exceeds n_positions = "
                    + config().nPositions());
        }
        Tensor positions = positionIds != null ? positionIds
                : Tensor.arange(past, past + t, 1, DType.I64).unsqueeze(0).expand(b, t);
        return transformer.forward(inputIds, positions, attentionMask, cache);
    }

    @Override
    public String bodyName() {
        return "transformer";
    }

    /**
     * Reads GPT-2 checkpoints under this model's names: drops the attention-mask buffers older transformers saved
     * ({@code attn.bias}, {@code attn.masked_bias}) and adds the {@code transformer.} prefix a bare GPT2Model lacks.
     */
    @Override
    protected Map<String, Tensor> checkpointToModelNames(Map<String, Tensor> state) {
        boolean bare = state.keySet().stream().noneMatch(k -> k.startsWith("transformer."));
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : state.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias")) continue;
            out.put(bare && !name.startsWith("lm_head.") ? "transformer." + name : name, e.getValue());
        }
        return out;
    }
}
