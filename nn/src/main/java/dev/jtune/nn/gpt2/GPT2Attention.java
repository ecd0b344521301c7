package dev.jtune.nn.gpt2;

import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.AttentionOptions;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Layers.Conv1D;
import dev.jtune.nn.Layers.Dropout;
import dev.jtune.nn.Module;

/** Causal multi-head self-attention ({@code h.N.attn}) with one fused {@code c_attn} projection for q, k and v. */
final class GPT2Attention extends Module {

    private final int layer;
    private final int nHead;
    private final Dropout attnDropout;
    private final Generator dropoutGenerator;
    private final Conv1D cAttn;
    private final Conv1D cProj;
    private final Dropout residDropout;

    GPT2Attention(GPT2Config config, int layer, Generator init, Generator dropout) {
        this.layer = layer;
        int c = config.nEmbd();
        nHead = config.nHead();
        dropoutGenerator = dropout;
        cAttn = registerModule("c_attn", new Conv1D(c, 3 * c, init, config.initializerRange()));
        cProj = registerModule("c_proj", new Conv1D(c, c, init, GPT2MLP.residualStd(config)));
        attnDropout = registerModule("attn_dropout", new Dropout(config.attnPdrop(), dropout));
        residDropout = registerModule("resid_dropout", new Dropout(config.residPdrop(), dropout));
    }

    /** x: [B, T, C] → [B, T, C]; with a cache, attends over the cached positions too. */
    Tensor forward(Tensor x, Tensor mask, KVCache cache) {
        int b = x.size(0), t = x.size(1), c = x.size(2), hs = c / nHead;
        Tensor qkv = cAttn.forward(x);                                              // (B, T, 3C)
        Tensor q = heads(qkv.narrow(2, 0, c), b, t, hs);                            // (B, nh, T, hs)
        Tensor k = heads(qkv.narrow(2, c, c), b, t, hs);
        Tensor v = heads(qkv.narrow(2, 2 * c, c), b, t, hs);
        if (cache != null) {
            Tensor[] kv = cache.append(layer, k, v);                                 // (B, nh, T_past + T, hs)
            k = kv[0];
            v = kv[1];
        }
        AttentionOptions options = AttentionOptions.CAUSAL.withDropout(isTraining() ? attnDropout.p() : 0, dropoutGenerator);
        Tensor y = options.apply(q, k, v, mask);                                     // (B, nh, T, hs)
        return residDropout.forward(cProj.forward(y.transpose(1, 2).reshape(b, t, c)));
    }

    /** [B, T, C] → [B, nh, T, hs]. */
    private Tensor heads(Tensor x, int b, int t, int hs) {
        return x.reshape(b, t, nHead, hs).transpose(1, 2);
    }
}
