package dev.jtune.core.kernels.simd;

import java.util.function.UnaryOperator;
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

    /** The scalar twin of a vector function. */
    @FunctionalInterface
    private interface FloatFunction {
        float apply(float x);
    }

    private SimdUnary() {}

    public static void neg(float[] out, float[] a, int aOff, int from, int to) {
        map(out, a, aOff, from, to, FloatVector::neg, x -> -x);
    }

    public static void abs(float[] out, float[] a, int aOff, int from, int to) {
        map(out, a, aOff, from, to, FloatVector::abs, Math::abs);
    }

    /** Correctly rounded, like the reference. */
    public static void sqrt(float[] out, float[] a, int aOff, int from, int to) {
        map(out, a, aOff, from, to, FloatVector::sqrt, x -> (float) Math.sqrt(x));
    }

    /** {@code max(x, 0)} with {@link Math#max}: NaN stays NaN. */
    public static void relu(float[] out, float[] a, int aOff, int from, int to) {
        map(out, a, aOff, from, to, v -> v.max(0f), x -> Math.max(x, 0f));
    }

    public static void exp(float[] out, float[] a, int aOff, int from, int to) {
        map(out, a, aOff, from, to, SimdMath::exp, SimdMath::exp);
    }

    public static void log(float[] out, float[] a, int aOff, int from, int to) {
        SimdMath.log(out, a, aOff, from, to);
    }

    public static void tanh(float[] out, float[] a, int aOff, int from, int to) {
        SimdMath.tanh(out, a, aOff, from, to);
    }

    public static void sigmoid(float[] out, float[] a, int aOff, int from, int to) {
        SimdActivations.SIGMOID.apply(out, a, aOff, from, to);
    }

    public static void silu(float[] out, float[] a, int aOff, int from, int to) {
        SimdActivations.SILU.apply(out, a, aOff, from, to);
    }

    public static void siluGrad(float[] out, float[] a, int aOff, int from, int to) {
        SimdActivations.SILU_GRAD.apply(out, a, aOff, from, to);
    }

    /** Exact (erf-based) GELU. */
    public static void gelu(float[] out, float[] a, int aOff, int from, int to) {
        SimdActivations.GELU.apply(out, a, aOff, from, to);
    }

    public static void geluGrad(float[] out, float[] a, int aOff, int from, int to) {
        SimdActivations.GELU_GRAD.apply(out, a, aOff, from, to);
    }

    public static void geluTanh(float[] out, float[] a, int aOff, int from, int to) {
        SimdActivations.GELU_TANH.apply(out, a, aOff, from, to);
    }

    public static void geluTanhGrad(float[] out, float[] a, int aOff, int from, int to) {
        SimdActivations.GELU_TANH_GRAD.apply(out, a, aOff, from, to);
    }

    /** The vector loop and its scalar tail, for functions small enough that the JIT inlines them into the loop. */
    private static void map(float[] out, float[] a, int aOff, int from, int to, UnaryOperator<FloatVector> vector,
                            FloatFunction scalar) {
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            vector.apply(FloatVector.fromArray(F, a, aOff + i)).intoArray(out, i);
        }
        for (; i < to; i++) out[i] = scalar.apply(a[aOff + i]);
    }
}
