package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The passes of exact GELU, {@code x Phi(x)} with the normal CDF Phi, and of its derivative {@code Phi(x) + x phi(x)},
 * for {@link SimdActivations}. Each pass is a vector loop and its scalar twin doing the same IEEE operations in the
 * same order.
 *
 * <p>Method. With {@code t = |x| / sqrt 2}, the normal tail is {@code Q = 1 - Phi(|x|) = erfc(t) / 2
 * = exp(-x^2/2) G(t) / (2 (1 + 2t))}, where {@code G(t) = (1 + 2t) exp(t^2) erfc(t)} is smooth and bounded (1 at 0,
 * rising to {@code 2/sqrt(pi)} at infinity), written {@code G = 1 + v H(v)} with {@code v = 2t / (t + 2)} in
 * {@code [0, 2)} and H a degree-10 polynomial (Chebyshev interpolation on {@code t in [0, 10.5]}, about 1e-9 relative;
 * within 1 ulp after rounding the coefficients to float, Horner's rule and the final FMA, which adds the exact 1 last).
 * Then {@code Phi(x) = Q} for x &lt; 0 and {@code 1 - Q} otherwise; nothing subtracts nearly equal numbers, so
 * {@code x Q} keeps its relative accuracy deep into the left tail.
 *
 * <p>{@code exp(-x^2/2)} comes from x, not from t: rounding t and squaring it would err by {@code 2t^2} ulp (200 ulp at
 * x = -14). {@code x^2 = hi + lo} exactly (an FMA), {@code exp(-x^2/2) = exp(-hi/2) (1 - lo/2)}, and the product with
 * the factor is one rounding ({@link SimdMath#timesExp}), so a subnormal result rounds once. |x| is clamped to 15,
 * past which {@code x Q} and {@code x phi} underflow to zero and {@code 1 - Q} is 1 in float; as in the reference, gelu(-inf) and
 * gelu'(+-inf) are NaN ({@code inf * 0}).
 */
final class SimdGelu {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /** H's coefficients in v, constant term first. */
    private static final float[] H = {
        8.716208339e-01f, -8.209484220e-01f, 2.089060396e-01f, 3.338875994e-02f, -1.167410892e-02f,
        -5.884429440e-03f, 2.424306003e-03f, -2.069890499e-03f, 1.711128629e-03f, -5.591586814e-04f,
        6.332022167e-05f};
    private static final float CLAMP = 15f;
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    private static final float ONE_OVER_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    private SimdGelu() {}

    /**
     * The exponent {@code -x^2/2} as {@code arg = -hi/2} and {@code low = -lo/2}, and its factor: for gelu
     * {@code x halfG} (so the exponential step gives {@code x Q}); for its derivative {@code x / sqrt(2 pi) + halfG}
     * for x &lt; 0 (giving {@code Q + x phi}) and {@code x / sqrt(2 pi) - halfG} otherwise (giving {@code x phi - Q}),
     * where {@code halfG = G / (2 (1 + 2t))} makes {@code Q = exp(-x^2/2) halfG}.
     */
    static void args(float[] a, int aOff, int n, float[] arg, float[] low, float[] f, boolean grad) {
        int i = 0;
        for (int end = SimdMath.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector xc = SimdMath.atMost(SimdMath.atLeast(x, -CLAMP), CLAMP);
            FloatVector t = xc.abs().mul(SQRT_HALF);
            FloatVector v = t.add(t).div(t.add(2f));
            FloatVector h = v.broadcast(H[H.length - 1]);
            for (int j = H.length - 2; j >= 0; j--) h = h.fma(v, v.broadcast(H[j]));
            FloatVector halfG = v.fma(h, v.broadcast(1f)).div(t.fma(4f, 2f));
            FloatVector hi = xc.mul(xc);
            FloatVector factor = grad
                    ? xc.mul(ONE_OVER_SQRT_2PI).add(halfG.blend(halfG.neg(), x.compare(VectorOperators.GE, 0f)))
                            .blend(Float.NaN, x.abs().eq(Float.POSITIVE_INFINITY))
                    : xc.mul(halfG).blend(Float.NaN, x.eq(Float.NEGATIVE_INFINITY));
            hi.mul(-0.5f).intoArray(arg, i);
            xc.fma(xc, hi.neg()).mul(-0.5f).intoArray(low, i);
            factor.intoArray(f, i);
        }
        for (; i < n; i++) {
            float x = a[aOff + i];
            float xc = Math.min(Math.max(x, -CLAMP), CLAMP);
            float t = Math.abs(xc) * SQRT_HALF;
            float v = (t + t) / (t + 2f);
            float h = H[H.length - 1];
            for (int j = H.length - 2; j >= 0; j--) h = Math.fma(h, v, H[j]);
            float halfG = Math.fma(v, h, 1f) / Math.fma(t, 4f, 2f);
            float hi = xc * xc;
            float factor = grad
                    ? (Math.abs(x) == Float.POSITIVE_INFINITY ? Float.NaN : xc * ONE_OVER_SQRT_2PI + (x >= 0f ? -halfG : halfG))
                    : (x == Float.NEGATIVE_INFINITY ? Float.NaN : xc * halfG);
            arg[i] = hi * -0.5f;
            low[i] = Math.fma(xc, xc, -hi) * -0.5f;
            f[i] = factor;
        }
    }

    /** gelu: {@code x Q} for x &lt;= 0 (so -0 stays -0), {@code x - x Q} otherwise. */
    static void gelu(float[] out, int o, float[] a, int aOff, int n, float[] f, float[] e, float[] xq) {
        int i = 0;
        for (int end = SimdMath.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector q = FloatVector.fromArray(F, xq, i);
            x.sub(q).blend(q, x.compare(VectorOperators.LE, 0f)).intoArray(out, o + i);
        }
        for (; i < n; i++) {
            float x = a[aOff + i];
            out[o + i] = x <= 0f ? xq[i] : x - xq[i];
        }
    }

    /** gelu': {@code Q + x phi} for x &lt; 0, {@code 1 + (x phi - Q)} otherwise. */
    static void geluGrad(float[] out, int o, float[] a, int aOff, int n, float[] f, float[] e, float[] sum) {
        int i = 0;
        for (int end = SimdMath.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector s = FloatVector.fromArray(F, sum, i);
            s.add(1f).blend(s, x.lt(0f)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = a[aOff + i] < 0f ? sum[i] : sum[i] + 1f;
    }
}
