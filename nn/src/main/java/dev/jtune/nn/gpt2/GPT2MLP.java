package dev.jtune.nn.gpt2;

import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.Layers.Conv1D;
import dev.jtune.nn.Layers.Dropout;
import dev.jtune.nn.Module;

/** The feed-forward part of a block ({@code h.N.mlp}): {@code c_proj(act(c_fc(x)))}. */
final class GPT2MLP extends Module {

    private final Conv1D cFc;
    private final Conv1D cProj;
    private final Dropout dropout;
    private final String activation;

    GPT2MLP(GPT2Config config, Generator init, Generator dropoutGenerator) {
        cFc = registerModule("c_fc", new Conv1D(config.nEmbd(), config.nInner(), init, config.initializerRange()));
        cProj = registerModule("c_proj", new Conv1D(config.nInner(), config.nEmbd(), init, residualStd(config)));
        dropout = registerModule("dropout", new Dropout(config.residPdrop(), dropoutGenerator));
        activation = config.activationFunction();
    }

    /** GPT-2 scales the init of projections into the residual stream by {@code 1/sqrt(2 n_layer)}. */
    static double residualStd(GPT2Config config) {
        return config.initializerRange() / Math.sqrt(2.0 * config.nLayer());
    }

    /**
     * x: [B, T, C] → [B, T, C]. GELU takes c_fc's bias inside one fused op (one pass forward and one backward); an
     * adapter on c_fc adds its delta to the product before it.
     */
    Tensor forward(Tensor x) {
        Tensor h = switch (activation) {  // (B, T, n_inner)
            case "gelu_new", "gelu_pytorch_tanh" -> Functional.biasGelu(cFc.forwardWithoutBias(x), cFc.bias.computeValue(), "tanh");
            case "gelu" -> Functional.biasGelu(cFc.forwardWithoutBias(x), cFc.bias.computeValue(), "none");
            case "relu" -> cFc.forward(x).relu();
            default -> throw new IllegalStateException("unsupported activation " + activation);
        };
        return dropout.forward(cProj.forward(h));
    }
}
