package dev.jtune.nn.gpt2;

import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.KVCache;
import dev.jtune.nn.Layers;
import dev.jtune.nn.Layers.Dropout;
import dev.jtune.nn.Layers.Embedding;
import dev.jtune.nn.Layers.LayerNorm;
import dev.jtune.nn.Module;
import dev.jtune.nn.ModuleList;
import java.util.ArrayList;
import java.util.List;

/** GPT-2's body ({@code transformer.*}): token and position embeddings, the blocks {@code h}, the final {@code ln_f}. */
final class GPT2Model extends Module {

    final Embedding wte;
    final Embedding wpe;
    private final Dropout drop;
    private final ModuleList<GPT2Block> h;
    private final LayerNorm lnF;

    GPT2Model(GPT2Config config, Generator init, Generator dropout) {
        double std = config.initializerRange();
        wte = registerModule("wte", new Embedding(config.vocabSize(), config.nEmbd(), init, std));
        wpe = registerModule("wpe", new Embedding(config.nPositions(), config.nEmbd(), init, std));
        drop = new Dropout(config.embdPdrop(), dropout);
        List<GPT2Block> blocks = new ArrayList<>();
        for (int i = 0; i < config.nLayer(); i++) blocks.add(new GPT2Block(config, i, init, dropout));
        h = registerModule("h", new ModuleList<>(blocks));
        lnF = registerModule("ln_f", new LayerNorm(config.nEmbd(), config.layerNormEpsilon()));
        registerModule("drop", drop);
    }

    /**
     * @param inputIds  [B, T]
     * @param positions [B, T]
     * @param mask      [B, T_past + T] or null
     * @return [B, T, C] the final hidden states
     */
    Tensor forward(Tensor inputIds, Tensor positions, Tensor mask, KVCache cache) {
        Tensor x = drop.forward(wte.forward(inputIds).add(wpe.forward(positions)));
        for (GPT2Block block : h) x = Layers.blockForward(x, in -> block.forward(in, mask, cache));
        return lnF.forward(x);
    }
}
