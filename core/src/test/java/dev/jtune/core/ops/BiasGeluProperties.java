package dev.jtune.core.ops;

import static dev.jtune.core.testing.TensorArbitraries.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradCheck;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.CpuBackend;
import dev.jtune.core.backend.ReferenceBackend;
import dev.jtune.core.kernels.simd.Simd;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The fused {@link Functional#biasGelu}: its gradients equal float64 central differences on the reference backend,
 * and on the CPU backend it is the composition {@code x.add(bias).gelu(approximate)} to the bit, forward and backward.
 */
class BiasGeluProperties {

    private static final int L = Simd.F.length();
    private static final int[] SIZES = {1, 2, L - 1, L, L + 1, 2 * L + 3, 37};

    @Property(tries = 30)
    void gradientsOfInputAndBiasMatchNumeric(@ForAll @IntRange(min = 1, max = 3) int rank,
                                             @ForAll @IntRange(min = 1, max = 5) int cols, @ForAll boolean tanh,
                                             @ForAll long seed) {
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = d == rank - 1 ? cols : 1 + (int) Math.floorMod(seed >> (8 * d), 3L);
        String approximate = tanh ? "tanh" : "none";
        Backend<?> previous = Backends.use(new ReferenceBackend());
        try {
            GradCheck.check(x -> Functional.biasGelu(x[0], x[1], approximate), randn(seed, shape), randn(seed + 1, cols));
        } finally {
            Backends.use(previous);
        }
    }

    @Property(tries = 40)
    void onTheCpuBackendItIsTheCompositionBitForBit(@ForAll @IntRange(min = 0, max = 6) int rowIndex,
                                                    @ForAll @IntRange(min = 0, max = 6) int colIndex,
                                                    @ForAll boolean tanh, @ForAll long seed) {
        int rows = SIZES[rowIndex], cols = SIZES[colIndex];
        String approximate = tanh ? "tanh" : "none";
        Backend<?> previous = Backends.use(new CpuBackend());
        try {
            Generator g = new Generator(seed);
            Tensor x = Tensor.randn(g, DType.F32, rows, cols).mul(3).detach().requiresGrad(true);
            Tensor bias = Tensor.randn(g, DType.F32, cols).detach().requiresGrad(true);
            Tensor w = Tensor.randn(g, DType.F32, rows, cols);

            Tensor fused = Functional.biasGelu(x, bias, approximate);
            fused.mul(w).sum().backward();
            float[] fusedDx = x.grad().toFloatArray(), fusedDbias = bias.grad().toFloatArray();
            x.zeroGrad();
            bias.zeroGrad();
            Tensor composed = x.add(bias).gelu(approximate);
            composed.mul(w).sum().backward();

            assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), "forward");
            assertArrayEquals(x.grad().toFloatArray(), fusedDx, "input gradient");
            assertArrayEquals(bias.grad().toFloatArray(), fusedDbias, "bias gradient");
        } finally {
            Backends.use(previous);
        }
    }

    @Example
    void rejectsABiasThatDoesNotMatchTheLastDimension() {
        Tensor x = Tensor.zeros(DType.F32, 2, 3);
        assertThrows(IllegalArgumentException.class, () -> Functional.biasGelu(x, Tensor.zeros(DType.F32, 2), "tanh"));
        assertThrows(IllegalArgumentException.class, () -> Functional.biasGelu(x, Tensor.zeros(DType.F32, 3), "erf"));
        assertThrows(IllegalArgumentException.class, () -> Functional.biasGelu(x, Tensor.zeros(DType.F64, 3), "none"));
    }
}
