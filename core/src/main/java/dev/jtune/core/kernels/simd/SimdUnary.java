package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized elementwise functions of one contiguous float input over an output range: {@code out[i] = f(a[aOff + i])}
 * for {@code from <= i < to}. Each is a vector loop and its scalar tail; the two compute the same bits, so how the
 * range is split (across threads, or between body and tail) never changes the result.
 */
public final class SimdUnary {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private SimdUnary() {}

    public static void neg(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, a, aOff + i).neg().intoArray(out, i);
        }
        for (; i < to; i++) out[i] = -a[aOff + i];
    }

    public static void abs(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, a, aOff + i).abs().intoArray(out, i);
        }
        for (; i < to; i++) out[i] = Math.abs(a[aOff + i]);
    }

    /** Correctly rounded, like the reference. */
    public static void sqrt(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, a, aOff + i).sqrt().intoArray(out, i);
        }
        for (; i < to; i++) out[i] = (float) Math.sqrt(a[aOff + i]);
    }

    /** {@code max(x, 0)} with {@link Math#max}: NaN stays NaN. */
    public static void relu(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            FloatVector.fromArray(F, a, aOff + i).max(0f).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = Math.max(a[aOff + i], 0f);
    }

    public static void exp(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            SimdMath.exp(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = SimdMath.exp(a[aOff + i]);
    }

    public static void sigmoid(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            SimdMath.sigmoid(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = SimdMath.sigmoid(a[aOff + i]);
    }

    public static void silu(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            SimdMath.silu(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = SimdMath.silu(a[aOff + i]);
    }

    public static void siluGrad(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            SimdMath.siluGrad(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = SimdMath.siluGrad(a[aOff + i]);
    }

    public static void geluTanh(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            SimdMath.geluTanh(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = SimdMath.geluTanh(a[aOff + i]);
    }

    public static void geluTanhGrad(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            SimdMath.geluTanhGrad(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = SimdMath.geluTanhGrad(a[aOff + i]);
    }
}
