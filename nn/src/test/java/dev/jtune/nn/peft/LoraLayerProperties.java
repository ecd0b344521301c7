package dev.jtune.nn.peft;

import static dev.jtune.core.testing.TensorArbitraries.randn;

import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradCheck;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.ReferenceBackend;
import dev.jtune.nn.Layers.Conv1D;
import dev.jtune.nn.Layers.Linear;
import dev.jtune.nn.Module;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A LoRA layer {@code base(x) + (x A^T B^T) * scaling} on a Linear and on a Conv1D: the gradients of its input, the
 * base weight and bias, A and B equal float64 central differences on the reference backend, and with the adapter
 * disabled the output is the base layer's.
 */
class LoraLayerProperties {

    @Property(tries = 25)
    void gradientsOfInputBaseAAndBMatchNumeric(@ForAll @IntRange(min = 1, max = 4) int in,
                                               @ForAll @IntRange(min = 1, max = 4) int out,
                                               @ForAll @IntRange(min = 1, max = 3) int r, @ForAll boolean conv,
                                               @ForAll long seed) {
        Backend<?> previous = Backends.use(new ReferenceBackend());
        try {
            Generator g = new Generator(seed);
            Module base = conv ? new Conv1D(in, out, g, 0.5) : new Linear(in, out, true, g, 0.5);
            LoraLayer lora = new LoraLayer(base, r, 1.5, 0, false, g, g);
            Tensor x = randn(seed + 1, 2, 3, in);
            Tensor w = randn(seed + 2, conv ? new int[] {in, out} : new int[] {out, in});
            Tensor b = randn(seed + 3, out), a = randn(seed + 4, r, in), bb = randn(seed + 5, out, r);
            LoraLayer.baseWeight(base).swapValue(w);
            (conv ? ((Conv1D) base).bias : ((Linear) base).bias).swapValue(b);
            lora.loraA().swapValue(a);
            lora.loraB().swapValue(bb);
            GradCheck.check(t -> forward(base, t[0]), x, w, b, a, bb);
        } finally {
            Backends.use(previous);
        }
    }

    private static Tensor forward(Module m, Tensor x) {
        return m instanceof Conv1D c ? c.forward(x) : ((Linear) m).forward(x);
    }
}
