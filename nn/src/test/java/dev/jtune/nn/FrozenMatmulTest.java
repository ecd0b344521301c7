package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backends;
import dev.jtune.nn.Layers.Conv1D;
import dev.jtune.nn.Layers.Linear;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A Linear or Conv1D whose frozen weight and bias are BF16 (through {@link FrozenMatmul}) computes the output and the
 * input gradient of the same layer holding their exact F32 values, to the bit (a few rows: the matrix-vector kernel;
 * more: the tiles), gives the weight no gradient, and makes no F32 copy of the weight.
 */
class FrozenMatmulTest {

    @Test
    void aConv1DWithAFrozenBf16WeightMatchesItsF32Twin() {
        Conv1D conv = new Conv1D(7, 5, new Generator(1), 0.5);
        assertSameAsF32(conv.weight, conv.bias, conv::forward, 7, 5);
    }

    @Test
    void aConv1DWithoutItsBiasMatchesItsF32Twin() {
        Conv1D conv = new Conv1D(7, 5, new Generator(1), 0.5);
        assertSameAsF32(conv.weight, conv.bias, conv::forwardWithoutBias, 7, 5);
    }

    @Test
    void aLinearWithAFrozenBf16WeightMatchesItsF32Twin() {
        Linear linear = new Linear(7, 5, true, new Generator(2), 0.5);
        assertSameAsF32(linear.weight, linear.bias, linear::forward, 7, 5);
    }

    @Test
    void aLinearWithoutBiasMatchesItsF32Twin() {
        Linear linear = new Linear(9, 4, false, new Generator(2), 0.5);
        assertSameAsF32(linear.weight, null, linear::forward, 9, 4);
    }

    @Test
    void aLinearOverManyRowsMatchesItsF32Twin() {
        Linear linear = new Linear(70, 90, true, new Generator(3), 0.5);
        assertSameAsF32(linear.weight, linear.bias, linear::forward, 70, 90, 40);
    }

    @Test
    void aFrozenBf16LinearMakesNoF32CopyOfItsWeight() {
        Linear linear = new Linear(256, 512, false, new Generator(4), 0.5);
        linear.weight.requiresGrad(false);
        linear.weight.set(linear.weight.value().to(DType.BF16));
        Tensor x = Tensor.randn(new Generator(5), DType.F32, 64, 256).requiresGrad(true);
        var pool = Backends.current().buffers();
        long takes = pool.stats().hits() + pool.stats().misses();
        Tensor y = linear.forward(x);
        assertEquals(takes + 1, pool.stats().hits() + pool.stats().misses(), "forward: the output's buffer only");
        y.backward(Tensor.ones(64, 512));
        assertNull(linear.weight.value().grad());
    }

    private static void assertSameAsF32(Parameter weight, Parameter bias, Function<Tensor, Tensor> layer, int in, int out) {
        assertSameAsF32(weight, bias, layer, in, out, 3);
    }

    private static void assertSameAsF32(Parameter weight, Parameter bias, Function<Tensor, Tensor> layer, int in, int out,
                                        int rows) {
        Generator g = new Generator(5);
        Tensor x = Tensor.randn(g, DType.F32, 2, rows, in).requiresGrad(true);
        Tensor r = Tensor.randn(g, DType.F32, 2, rows, out);  // a random output weighting
        weight.requiresGrad(false);
        weight.set(weight.value().to(DType.BF16).to(DType.F32));  // values a bf16 holds exactly
        if (bias != null) {
            bias.requiresGrad(false);
            bias.set(Tensor.randn(g, DType.F32, out).to(DType.BF16).to(DType.F32));
        }
        Tensor want = layer.apply(x);
        want.mul(r).sum().backward();
        float[] wantGrad = x.grad().toFloatArray();

        x.setGrad(null);
        weight.set(weight.value().to(DType.BF16));
        if (bias != null) bias.set(bias.value().to(DType.BF16));
        Tensor got = layer.apply(x);
        got.mul(r).sum().backward();
        assertArrayEquals(want.toFloatArray(), got.toFloatArray());
        assertArrayEquals(wantGrad, x.grad().toFloatArray());
        assertNull(weight.value().grad());
    }
}
