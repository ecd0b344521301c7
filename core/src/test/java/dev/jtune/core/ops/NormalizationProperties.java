package dev.jtune.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.simd.Simd;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The single-op {@link Functional#layerNorm} and {@link Functional#rmsNorm} against their compositions
 * ({@code layerNormComposed}, {@code rmsNormComposed}): the forward pass to the bit, the closed-form gradients within
 * float32 round-off of the chain rule through the composition (their float64 gradients are checked against central
 * differences in {@code GradientProperties}), and the memory they keep for backward.
 */
class NormalizationProperties {

    private static final int L = Simd.F.length();
    private static final int[] SIZES = {1, 2, L - 1, L, L + 1, 2 * L + 3, 37, 768};

    @Property(tries = 60)
    void layerNormIsTheCompositionForwardToTheBitAndBackwardToRoundOff(
            @ForAll @IntRange(min = 0, max = 7) int rowIndex, @ForAll @IntRange(min = 0, max = 7) int colIndex,
            @ForAll boolean affine, @ForAll long seed) {
        int rows = SIZES[rowIndex] % 40, cols = SIZES[colIndex];
        Generator g = new Generator(seed);
        Tensor x = leaf(Tensor.randn(g, DType.F32, rows + 1, cols).mul(3).add(1));
        Tensor w = affine ? leaf(Tensor.randn(g, DType.F32, cols)) : null;
        Tensor b = affine ? leaf(Tensor.randn(g, DType.F32, cols)) : null;
        Tensor upstream = Tensor.randn(g, DType.F32, rows + 1, cols);

        Tensor fused = Functional.layerNorm(x, w, b, 1e-5);
        Tensor[] fusedGrads = gradients(fused, upstream, x, w, b);
        Tensor composed = Functional.layerNormComposed(x, w, b, 1e-5);
        Tensor[] composedGrads = gradients(composed, upstream, x, w, b);
        Tensor[] x64 = {f64(x), f64(w), f64(b)};
        Tensor[] exact = gradients(Functional.layerNormComposed(x64[0], x64[1], x64[2], 1e-5), upstream.to(DType.F64), x64);
        x64[0] = x64[0].sub(x64[0].mean(-1, true));  // the scale of the terms uses the centred input

        assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), "forward");
        assertNoWorseThanTheComposition(exact, composedGrads, fusedGrads, termScales(x64, upstream));
    }

    @Property(tries = 60)
    void rmsNormIsTheCompositionForwardToTheBitAndBackwardToRoundOff(
            @ForAll @IntRange(min = 0, max = 7) int rowIndex, @ForAll @IntRange(min = 0, max = 7) int colIndex,
            @ForAll boolean weighted, @ForAll long seed) {
        int rows = SIZES[rowIndex] % 40, cols = SIZES[colIndex];
        Generator g = new Generator(seed);
        Tensor x = leaf(Tensor.randn(g, DType.F32, 2, rows + 1, cols).mul(3));
        Tensor w = weighted ? leaf(Tensor.randn(g, DType.F32, cols)) : null;
        Tensor upstream = Tensor.randn(g, DType.F32, 2, rows + 1, cols);

        Tensor fused = Functional.rmsNorm(x, w, 1e-6);
        Tensor[] fusedGrads = gradients(fused, upstream, x, w);
        Tensor composed = Functional.rmsNormComposed(x, w, 1e-6);
        Tensor[] composedGrads = gradients(composed, upstream, x, w);
        Tensor[] x64 = {f64(x), f64(w)};
        Tensor[] exact = gradients(Functional.rmsNormComposed(x64[0], x64[1], 1e-6), upstream.to(DType.F64), x64);

        assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), "forward");
        assertNoWorseThanTheComposition(exact, composedGrads, fusedGrads, termScales(x64, upstream));
    }

    @Example
    void aNormKeepsOnlyItsOutputAndPerRowStatisticsForBackward() {
        int rows = 64, cols = 768;  // [64, 768] F32: 192 KiB a tensor
        Tensor x = leaf(Tensor.randn(new Generator(5), DType.F32, rows, cols));
        Tensor w = leaf(Tensor.ones(cols)), b = leaf(Tensor.zeros(cols));
        var pool = Backends.current().buffers();
        try (MemoryScope step = MemoryScope.open()) {
            Tensor input = x.mul(1);  // an activation of the step, as a norm's input is
            // The properties' tries before this leave buffers of random sizes cached, and a request may take one up to
            // half again as long: with none cached, each buffer below is fresh and exactly [64, 768] (a size class).
            pool.emptyCache();
            long before = pool.stats().inUseBytes();
            Tensor y = Functional.layerNorm(input, w, b, 1e-5);
            assertEquals(4L * rows * cols, pool.stats().inUseBytes() - before, "pooled bytes in use: the output only");
            Tensor r = Functional.rmsNorm(input, w, 1e-6);
            assertEquals(8L * rows * cols, pool.stats().inUseBytes() - before, "and the RMS norm's output");
            y.add(r).sum().backward();
            assertEquals(cols, w.grad().numel());
        }
    }

    private static Tensor leaf(Tensor t) {
        return t.detach().requiresGrad(true);
    }

    /** d sum(out * upstream) / d each input (null for a null input), gradients reset afterwards. */
    private static Tensor[] gradients(Tensor out, Tensor upstream, Tensor... inputs) {
        out.mul(upstream).sum().backward();
        Tensor[] grads = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null) continue;
            grads[i] = inputs[i].grad().clone();
            inputs[i].zeroGrad();
        }
        return grads;
    }

    private static Tensor f64(Tensor t) {
        return t == null ? null : leaf(t.to(DType.F64));
    }

    /**
     * The magnitude of the terms each gradient sums, for {@code x} (centred for layer norm): for dx,
     * {@code max|g| max|w| max(rstd) (1 + max|xhat|^2)} (dxhat, its mean and {@code xhat mean(dxhat xhat)}, times
     * rstd); for the weight, {@code max|g| max|xhat|} times the rows; for the bias,
     * {@code max|g|} times the rows. Round-off is relative to these, not to the result, which cancellation can make tiny.
     */
    private static double[] termScales(Tensor[] x64, Tensor upstream) {
        Tensor x = x64[0].detach();
        int cols = x.size(-1), rows = x.numel() / cols;
        double g = maxAbs(upstream), w = x64[1] == null ? 1 : maxAbs(x64[1]);
        Tensor rstd = x.mul(x).mean(-1, true).add(1e-6).rsqrt();
        double xhat = maxAbs(x.mul(rstd));
        return new double[] {g * w * maxAbs(rstd) * (1 + xhat * xhat), g * xhat * rows, g * rows};
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (double v : t.detach().to(DType.F64).toDoubleArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    /**
     * Each float32 gradient's largest error against the float64 one is at most twice the composition's, plus 4e-6
     * (about 32 float32 ulps) of the magnitude of the terms it sums, for cases where the composition happens to round
     * well: the closed form may round differently, not worse. A wrong formula is off by the size of the gradient.
     */
    private static void assertNoWorseThanTheComposition(Tensor[] exact, Tensor[] composed, Tensor[] fused,
                                                        double[] termScale) {
        for (int i = 0; i < exact.length; i++) {
            if (exact[i] == null) continue;
            double[] truth = exact[i].to(DType.F64).toDoubleArray();
            float[] c = composed[i].toFloatArray(), f = fused[i].toFloatArray();
            double composedError = 0, fusedError = 0;
            for (int j = 0; j < truth.length; j++) {
                composedError = Math.max(composedError, Math.abs(c[j] - truth[j]));
                fusedError = Math.max(fusedError, Math.abs(f[j] - truth[j]));
            }
            double bound = 2 * composedError + 4e-6 * termScale[i];
            if (fusedError > bound) {
                throw new AssertionError("gradient of input " + i + ": error " + fusedError + " > " + bound
                        + " (composition's error " + composedError + ", terms of magnitude " + termScale[i] + ")");
            }
        }
    }
}
