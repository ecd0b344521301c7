package dev.jtune.nn.gpt2;

import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Layers.LayerNorm;
import dev.jtune.nn.Module;

/** One pre-LayerNorm block ({@code h.N}): {@code x + attn(ln_1(x))}, then {@code x + mlp(ln_2(x))}. */
final class GPT2Block extends Module {

    private final LayerNorm ln1;
    private final GPT2Attention attn;
    private final LayerNorm ln2;
    private final GPT2MLP mlp;

    GPT2Block(GPT2Config config, int layer, Generator init, Generator dropout) {
        ln1 = registerModule("ln_1", new LayerNorm(config.nEmbd(), config.layerNormEpsilon()));
        attn = registerModule("attn", new GPT2Attention(config, layer, init, dropout));
        ln2 = registerModule("ln_2", new LayerNorm(config.nEmbd(), config.layerNormEpsilon()));
        mlp = registerModule("mlp", new GPT2MLP(config, init, dropout));
    }

    /** x: [B, T, C] → [B, T, C]. */
    Tensor forward(Tensor x, Tensor mask, KVCache cache) {
        x = x.add(attn.forward(ln1.forward(x), mask, cache));
        return x.add(mlp.forward(ln2.forward(x)));
    }
}
