package dev.jtune.nn.llama;

import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.AttentionOptions;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Layers.Linear;
import dev.jtune.nn.Layers.RMSNorm;
import dev.jtune.nn.Module;

/**
 * One decoder layer ({@code model.layers.N}) of any model type of {@link LlamaConfig}: pre-RMSNorm grouped-query
 * attention, then a pre-RMSNorm SwiGLU MLP.
 */
final class LlamaDecoderLayer extends Module {

    private final RMSNorm inputLayernorm;
    private final Attention selfAttn;
    private final RMSNorm postAttentionLayernorm;
    private final Mlp mlp;

    LlamaDecoderLayer(LlamaConfig config, int layer, Generator init) {
        selfAttn = registerModule("self_attn", new Attention(config, layer, init));
        mlp = registerModule("mlp", new Mlp(config, init));
        inputLayernorm = registerModule("input_layernorm", new RMSNorm(config.hiddenSize(), config.rmsNormEps()));
        postAttentionLayernorm = registerModule("post_attention_layernorm",
                new RMSNorm(config.hiddenSize(), config.rmsNormEps()));
    }

    /** x: [B, T, C] → [B, T, C]. */
    Tensor forward(Tensor x, Tensor[] cosSin, Tensor mask, KVCache cache) {
        x = x.add(selfAttn.forward(inputLayernorm.forward(x), cosSin, mask, cache));
        return x.add(mlp.forward(postAttentionLayernorm.forward(x)));
    }

    /**
     * {@code self_attn}: q/k/v/o projections (biases as the model type has them), Qwen3's per-head RMSNorm of q and k,
     * RoPE on q and k, key/value heads shared by groups of query heads, and the layer's sliding window if it has one.
     */
    private static final class Attention extends Module {
        private final int layer, heads, kvHeads, headDim;
        private final Linear qProj, kProj, vProj, oProj;
        private final RMSNorm qNorm, kNorm;
        private final AttentionOptions options;

        Attention(LlamaConfig c, int layer, Generator init) {
            this.layer = layer;
            heads = c.numAttentionHeads();
            kvHeads = c.numKeyValueHeads();
            headDim = c.headDim();
            double std = c.initializerRange();
            qProj = registerModule("q_proj", new Linear(c.hiddenSize(), heads * headDim, c.qkvBias(), init, std));
            kProj = registerModule("k_proj", new Linear(c.hiddenSize(), kvHeads * headDim, c.qkvBias(), init, std));
            vProj = registerModule("v_proj", new Linear(c.hiddenSize(), kvHeads * headDim, c.qkvBias(), init, std));
            oProj = registerModule("o_proj", new Linear(heads * headDim, c.hiddenSize(), c.oProjBias(), init, std));
            qNorm = c.qkNorm() ? registerModule("q_norm", new RMSNorm(headDim, c.rmsNormEps())) : null;
            kNorm = c.qkNorm() ? registerModule("k_norm", new RMSNorm(headDim, c.rmsNormEps())) : null;
            options = AttentionOptions.CAUSAL.withWindow(c.window(layer));
        }

        Tensor forward(Tensor x, Tensor[] cosSin, Tensor mask, KVCache cache) {
            int b = x.size(0), t = x.size(1);
            Tensor q = Rope.apply(split(qProj.forward(x), b, t, heads, qNorm), cosSin);    // (B, H, T, hd)
            Tensor k = Rope.apply(split(kProj.forward(x), b, t, kvHeads, kNorm), cosSin);  // (B, H_kv, T, hd)
            Tensor v = split(vProj.forward(x), b, t, kvHeads, null);
            if (cache != null) {
                Tensor[] kv = cache.append(layer, k, v);  // (B, H_kv, kept, hd): a window may have dropped the oldest
                k = kv[0];
                v = kv[1];
                int kept = k.size(2);
                if (mask != null && mask.size(1) > kept) mask = mask.narrow(1, mask.size(1) - kept, kept);
            }
            Tensor y = options.applyGqa(q, k, v, mask);  // (B, H, T, hd): each key head serves H / H_kv query heads
            return oProj.forward(y.transpose(1, 2).reshape(b, t, heads * headDim));
        }

        /** [B, T, n*hd] → [B, n, T, hd], each head RMS-normalised first when {@code norm} is given. */
        private Tensor split(Tensor x, int b, int t, int n, RMSNorm norm) {
            Tensor perHead = x.view(b, t, n, headDim);  // (B, T, n, hd)
            return (norm == null ? perHead : norm.forward(perHead)).transpose(1, 2);
        }
    }

    /** {@code mlp}: {@code down_proj(silu(gate_proj(x)) * up_proj(x))}. */
    private static final class Mlp extends Module {
        private final Linear gateProj, upProj, downProj;

        Mlp(LlamaConfig c, Generator init) {
            double std = c.initializerRange();
            gateProj = registerModule("gate_proj", new Linear(c.hiddenSize(), c.intermediateSize(), c.mlpBias(), init, std));
            upProj = registerModule("up_proj", new Linear(c.hiddenSize(), c.intermediateSize(), c.mlpBias(), init, std));
            downProj = registerModule("down_proj", new Linear(c.intermediateSize(), c.hiddenSize(), c.mlpBias(), init, std));
        }

        Tensor forward(Tensor x) {
            return downProj.forward(gateProj.forward(x).silu().mul(upProj.forward(x)));
        }
    }
}
