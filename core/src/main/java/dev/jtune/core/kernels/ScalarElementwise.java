package dev.jtune.core.kernels;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Naive elementwise kernels over double arrays: map, broadcast zip and strided copy, each a plain walk over the index
 * space in row-major order ({@link Strided#forEach}, an odometer over the shape).
 */
public final class ScalarElementwise {

    private ScalarElementwise() {}

    /** {@code out[i] = f(a[aOff + i])} for {@code i < n}. */
    public static void map(double[] out, double[] a, int aOff, int n, DoubleUnaryOperator f) {
        for (int i = 0; i < n; i++) out[i] = f.applyAsDouble(a[aOff + i]);
    }

    /** {@code out[i] = (float) f(a[aOff + i])} for {@code from <= i < to}: the double function rounded once. */
    public static void map(float[] out, float[] a, int aOff, int from, int to, DoubleUnaryOperator f) {
        for (int i = from; i < to; i++) out[i] = (float) f.applyAsDouble(a[aOff + i]);
    }

    /**
     * {@code out[idx] = f(a[aOff + idx . aStrides], b[bOff + idx . bStrides])} over a contiguous {@code out} of
     * {@code shape}; a stride of 0 broadcasts.
     */
    public static void zip(double[] out, double[] a, int aOff, int[] aStrides, double[] b, int bOff, int[] bStrides,
                           int[] shape, DoubleBinaryOperator f) {
        Strided.forEach(shape, aOff, aStrides, bOff, bStrides, (i, ai, bi) -> out[i] = f.applyAsDouble(a[ai], b[bi]));
    }

    /**
     * {@code out[o + i] = (float) f(a[ai + i * as], b[bi + i * bs])} for {@code i < len}: one run of a broadcast
     * iteration (see {@link Strided#forEachRun}), the double function rounded once.
     */
    public static void zipRun(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int len,
                              DoubleBinaryOperator f) {
        for (int i = 0; i < len; i++) out[o + i] = (float) f.applyAsDouble(a[ai + i * as], b[bi + i * bs]);
    }

    /** {@code out[outOff + idx . outStrides] = a[aOff + idx . aStrides]}: a strided view copied into another. */
    public static void copy(double[] out, int outOff, int[] outStrides, double[] a, int aOff, int[] aStrides,
                            int[] shape) {
        Strided.forEach(shape, outOff, outStrides, aOff, aStrides, (i, o, ai) -> out[o] = a[ai]);
    }
}
