package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized elementwise functions of two float inputs along one run of a broadcast iteration:
 * {@code out[o + i] = f(a[ai + i * as], b[bi + i * bs])} for {@code i < len}.
 *
 * <p>The vector loop runs when each input is contiguous ({@code stride 1}) or broadcast ({@code stride 0}) along the
 * run; any other stride takes the scalar loop. These ops are correctly rounded IEEE operations, so vector, scalar and
 * reference (double, rounded once) results are the same bits.
 */
public final class SimdBinary {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private SimdBinary() {}

    /** {@code a + b}. */
    public static void add(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int len) {
        int i = 0;
        if (vectorizable(as, bs)) {
            for (int end = SimdMath.loopBound(len); i < end; i += L) {
                load(a, ai, as, i).add(load(b, bi, bs, i)).intoArray(out, o + i);
            }
        }
        for (; i < len; i++) out[o + i] = a[ai + i * as] + b[bi + i * bs];
    }

    /** {@code a - b}. */
    public static void sub(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int len) {
        int i = 0;
        if (vectorizable(as, bs)) {
            for (int end = SimdMath.loopBound(len); i < end; i += L) {
                load(a, ai, as, i).sub(load(b, bi, bs, i)).intoArray(out, o + i);
            }
        }
        for (; i < len; i++) out[o + i] = a[ai + i * as] - b[bi + i * bs];
    }

    /** {@code a * b}. */
    public static void mul(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int len) {
        int i = 0;
        if (vectorizable(as, bs)) {
            for (int end = SimdMath.loopBound(len); i < end; i += L) {
                load(a, ai, as, i).mul(load(b, bi, bs, i)).intoArray(out, o + i);
            }
        }
        for (; i < len; i++) out[o + i] = a[ai + i * as] * b[bi + i * bs];
    }

    /** {@code a / b}. */
    public static void div(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int len) {
        int i = 0;
        if (vectorizable(as, bs)) {
            for (int end = SimdMath.loopBound(len); i < end; i += L) {
                load(a, ai, as, i).div(load(b, bi, bs, i)).intoArray(out, o + i);
            }
        }
        for (; i < len; i++) out[o + i] = a[ai + i * as] / b[bi + i * bs];
    }

    /** {@link Math#max}: NaN wins, -0.0 &lt; 0.0. */
    public static void maximum(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int len) {
        int i = 0;
        if (vectorizable(as, bs)) {
            for (int end = SimdMath.loopBound(len); i < end; i += L) {
                load(a, ai, as, i).max(load(b, bi, bs, i)).intoArray(out, o + i);
            }
        }
        for (; i < len; i++) out[o + i] = Math.max(a[ai + i * as], b[bi + i * bs]);
    }

    /** {@link Math#min}: NaN wins, -0.0 &lt; 0.0. */
    public static void minimum(float[] out, int o, float[] a, int ai, int as, float[] b, int bi, int bs, int len) {
        int i = 0;
        if (vectorizable(as, bs)) {
            for (int end = SimdMath.loopBound(len); i < end; i += L) {
                load(a, ai, as, i).min(load(b, bi, bs, i)).intoArray(out, o + i);
            }
        }
        for (; i < len; i++) out[o + i] = Math.min(a[ai + i * as], b[bi + i * bs]);
    }

    private static boolean vectorizable(int as, int bs) {
        return (as == 0 || as == 1) && (bs == 0 || bs == 1);
    }

    /** Lanes {@code i .. i+L-1} of a contiguous (stride 1) or broadcast (stride 0) run. */
    private static FloatVector load(float[] x, int pos, int stride, int i) {
        return stride == 0 ? FloatVector.broadcast(F, x[pos]) : FloatVector.fromArray(F, x, pos + i);
    }
}
