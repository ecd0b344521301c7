package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Float exponential and the activations built on it, each as a vector function and its scalar twin that performs the
 * same IEEE operations in the same order, so a lane and the scalar path give the same bits.
 *
 * <p>Why not {@code lanewise(EXP)}: once C2 compiles it, it calls Intel SVML (within 1 ulp), but the interpreter and
 * C1 run the Java fallback {@code (float) Math.exp(x)} instead; the same input would give different bits before and
 * after warm-up, or on two threads at different tiers. This exp uses only add, multiply, FMA, min/max and integer bit
 * moves, which are exact IEEE operations in every tier.
 *
 * <p>Method: {@code exp(x) = 2^k * exp(r)} with {@code k = round(x / ln 2)} and {@code r = x - k ln 2} in
 * {@code [-ln2/2, ln2/2]} (Cody-Waite reduction with ln 2 split in two floats), {@code exp(r)} by its degree-7 Taylor
 * polynomial (truncation error {@code r^8/8! < 6e-9}, a tenth of a float ulp), and {@code 2^k} applied as two exact
 * powers of two so results that underflow into subnormals round once. Within 2 ulp of the correctly rounded value.
 */
final class SimdMath {

    private static final float LOG2E = (float) (1 / Math.log(2));
    private static final float LN2_HI = (float) Math.log(2);
    private static final float LN2_LO = (float) (Math.log(2) - LN2_HI);
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
    private static final float ROUND = 0x1.8p23f;
    /** exp underflows to 0 below -104 and overflows above 89; clamping keeps k and 2^(k/2) in range. */
    private static final float CLAMP = 150f;
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;
    /** gelu_tanh as {@code x * sigmoid(u2)} with {@code u2 = x (K1 + K2 x^2) = 2 sqrt(2/pi) (x + 0.044715 x^3)}. */
    private static final float K1 = (float) (2 * Math.sqrt(2 / Math.PI));
    private static final float K2 = (float) (2 * Math.sqrt(2 / Math.PI) * 0.044715);
    /** {@code du2/dx = K1 + K3 x^2}. */
    private static final float K3 = 3 * K2;

    private SimdMath() {}

    /** {@code Simd.F.loopBound(n)}, or 0 when SIMD is switched off so the scalar twin does everything. */
    static int loopBound(int n) {
        return Simd.ENABLED ? Simd.F.loopBound(n) : 0;
    }

    static FloatVector exp(FloatVector x) {
        x = x.max(-CLAMP).min(CLAMP);
        FloatVector k = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = k.fma(x.broadcast(-LN2_HI), x);
        r = k.fma(x.broadcast(-LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, x.broadcast(C5));
        p = p.fma(r, x.broadcast(C4));
        p = p.fma(r, x.broadcast(C3));
        p = p.fma(r, x.broadcast(C2));
        p = p.fma(r, x.broadcast(1f));
        p = p.fma(r, x.broadcast(1f));
        IntVector n = (IntVector) k.convert(VectorOperators.F2I, 0);
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = n.sub(n1);
        return p.mul(powerOfTwo(n1)).mul(powerOfTwo(n2));
    }

    static float exp(float x) {
        x = Math.min(Math.max(x, -CLAMP), CLAMP);
        float k = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int n = (int) k;
        int n1 = n >> 1;
        int n2 = n - n1;
        return p * powerOfTwo(n1) * powerOfTwo(n2);
    }

    /** {@code 1 / (1 + exp(-x))}. */
    static FloatVector sigmoid(FloatVector x) {
        return x.broadcast(1f).div(exp(x.neg()).add(1f));
    }

    static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }

    /** {@code x * sigmoid(x)} as {@code x / (1 + exp(-x))}. */
    static FloatVector silu(FloatVector x) {
        return x.div(exp(x.neg()).add(1f));
    }

    static float silu(float x) {
        return x / (exp(-x) + 1f);
    }

    /**
     * {@code s + x s (1 - s)} with {@code s = sigmoid(x)}, and {@code s (1 - s) = 1 / (e + 1/e + 2)} for
     * {@code e = exp(-x)}: a sum of positive terms, where the float {@code 1 - s} would lose its digits as s nears 1.
     */
    static FloatVector siluGrad(FloatVector x) {
        FloatVector e = exp(x.neg());
        FloatVector s = x.broadcast(1f).div(e.add(1f));
        return x.div(e.add(x.broadcast(1f).div(e)).add(2f)).add(s);
    }

    static float siluGrad(float x) {
        float e = exp(-x);
        float s = 1f / (e + 1f);
        return x / (e + 1f / e + 2f) + s;
    }

    /** GPT-2's gelu_new as {@code x / (1 + exp(-u2))}: no cancellation for x &lt;&lt; 0 (see ScalarMath.geluTanh). */
    static FloatVector geluTanh(FloatVector x) {
        FloatVector u2 = x.mul(x.mul(x).fma(K2, K1));
        return x.div(exp(u2.neg()).add(1f));
    }

    static float geluTanh(float x) {
        float u2 = x * Math.fma(x * x, K2, K1);
        return x / (exp(-u2) + 1f);
    }

    /**
     * {@code s + x s (1 - s) u2'} with {@code s = sigmoid(u2)}, {@code u2' = K1 + 3 K2 x^2} and
     * {@code s (1 - s) = 1 / (e + 1/e + 2)} for {@code e = exp(-u2)} (as in {@link #siluGrad}).
     */
    static FloatVector geluTanhGrad(FloatVector x) {
        FloatVector x2 = x.mul(x);
        FloatVector e = exp(x.mul(x2.fma(K2, K1)).neg());
        FloatVector s = x.broadcast(1f).div(e.add(1f));
        FloatVector du2 = x2.fma(K3, K1);
        return x.mul(du2).div(e.add(x.broadcast(1f).div(e)).add(2f)).add(s);
    }

    static float geluTanhGrad(float x) {
        float x2 = x * x;
        float e = exp(-(x * Math.fma(x2, K2, K1)));
        float s = 1f / (e + 1f);
        float du2 = Math.fma(x2, K3, K1);
        return x * du2 / (e + 1f / e + 2f) + s;
    }

    private static FloatVector powerOfTwo(IntVector n) {
        return n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    private static float powerOfTwo(int n) {
        return Float.intBitsToFloat((n + 127) << 23);
    }
}
