package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The passes of the logistic activations for {@link SimdActivations}: sigmoid, SiLU and GPT-2's tanh GELU, and their
 * derivatives. Each pass is a vector loop and its scalar twin doing the same IEEE operations in the same order.
 *
 * <p>All of them rest on one exponential, {@code e = exp(-|z|)} in {@code (0, 1]}, which never overflows:
 * {@code f sigmoid(z) = f / (1 + e)} for z &gt;= 0 and {@code f e / (1 + e)} for z &lt; 0 (f = 1, x or x for sigmoid,
 * silu and gelu_tanh), and {@code sigmoid'(z) = e / (1 + e)^2}, a product, where the float {@code 1 - s} would lose its
 * digits as s nears 1. The exponential step forms {@code f e} rounded once, so far in the left tail, where it is
 * subnormal, the result is still within an ulp; and {@code f * 0} past |z| = 150, so silu(-inf) and every derivative at
 * infinity are NaN as in the reference.
 *
 * <p>gelu_tanh's {@code z = u2 = 2 sqrt(2/pi) (x + 0.044715 x^3)} reaches -100 before the result underflows, and exp
 * turns an absolute error in z into a relative one in the result: z in plain float would cost {@code 2.5 |z|} ulp (200
 * ulp at x = -10). So z is carried as {@code u2 + u2Low}, with the rounding errors of each step recovered exactly (FMA
 * for products, Fast2Sum for the sum) and K1, K2 each held in two floats.
 */
final class SimdSigmoid {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /** {@code u2 = x (K1 + K2 x^2)}, and {@code du2/dx = K1 + K3 x^2}. */
    private static final float K1 = (float) (2 * Math.sqrt(2 / Math.PI));
    private static final float K1_LO = (float) (2 * Math.sqrt(2 / Math.PI) - K1);
    private static final float K2 = (float) (2 * Math.sqrt(2 / Math.PI) * 0.044715);
    private static final float K2_LO = (float) (2 * Math.sqrt(2 / Math.PI) * 0.044715 - K2);
    private static final float K3 = 3 * K2;
    /** gelu_tanh is x or -0 and its derivative 1 or 0 beyond |x| = 20; clamping there keeps u2 finite. */
    private static final float CLAMP = 20f;

    private SimdSigmoid() {}

    /** {@code z = x}: {@code arg = -|x|}, no correction, {@code f = x} (silu and its derivative) or 1 (sigmoid). */
    static void logisticOfX(float[] a, int aOff, int n, float[] arg, float[] low, float[] f, boolean timesX) {
        int i = 0;
        for (int end = SimdMath.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            x.abs().neg().intoArray(arg, i);
            x.broadcast(0f).intoArray(low, i);
            (timesX ? x : x.broadcast(1f)).intoArray(f, i);
        }
        for (; i < n; i++) {
            float x = a[aOff + i];
            arg[i] = -Math.abs(x);
            low[i] = 0f;
            f[i] = timesX ? x : 1f;
        }
    }

    /**
     * {@code z = u2 + u2Low}: {@code arg = -|u2|}, {@code low = -sign(u2) u2Low}; f = x for gelu_tanh, or for its
     * derivative {@code g = x u2'} (NaN at +-inf, as in the reference).
     */
    static void geluTanhArgs(float[] a, int aOff, int n, float[] arg, float[] low, float[] f, boolean grad) {
        int i = 0;
        for (int end = SimdMath.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector xc = SimdMath.atMost(SimdMath.atLeast(x, -CLAMP), CLAMP);
            FloatVector s = xc.mul(xc);
            FloatVector p = s.mul(K2);
            FloatVector big = p.max(K1), small = p.min(K1);
            FloatVector w = big.add(small);
            FloatVector wLow = small.sub(w.sub(big))
                    .add(s.fma(x.broadcast(K2), p.neg()))
                    .add(xc.fma(xc, s.neg()).fma(x.broadcast(K2), s.fma(K2_LO, K1_LO)));
            FloatVector u2 = xc.mul(w);
            FloatVector u2Low = xc.fma(w, u2.neg()).add(xc.mul(wLow));
            VectorMask<Float> positive = u2.compare(VectorOperators.GE, 0f);
            u2.abs().neg().intoArray(arg, i);
            u2Low.blend(u2Low.neg(), positive).intoArray(low, i);
            (grad ? xc.mul(s.fma(K3, K1)).blend(Float.NaN, x.abs().eq(Float.POSITIVE_INFINITY)) : x).intoArray(f, i);
        }
        for (; i < n; i++) {
            float x = a[aOff + i];
            float xc = Math.min(Math.max(x, -CLAMP), CLAMP);
            float s = xc * xc;
            float p = s * K2;
            float big = Math.max(p, K1), small = Math.min(p, K1);
            float w = big + small;
            float wLow = small - (w - big)
                    + Math.fma(s, K2, -p)
                    + Math.fma(Math.fma(xc, xc, -s), K2, Math.fma(s, K2_LO, K1_LO));
            float u2 = xc * w;
            float u2Low = Math.fma(xc, w, -u2) + xc * wLow;
            arg[i] = -Math.abs(u2);
            low[i] = u2 >= 0f ? -u2Low : u2Low;
            f[i] = grad ? (Math.abs(x) == Float.POSITIVE_INFINITY ? Float.NaN : xc * Math.fma(s, K3, K1)) : x;
        }
    }

    /** {@code f sigmoid(z) = (z < 0 ? f e : f) / (1 + e)}; z has x's sign. */
    static void logistic(float[] out, int o, float[] a, int aOff, int n, float[] f, float[] e, float[] fe) {
        int i = 0;
        for (int end = SimdMath.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector ei = FloatVector.fromArray(F, e, i);
            FloatVector.fromArray(F, f, i).blend(FloatVector.fromArray(F, fe, i), x.lt(0f))
                    .div(ei.add(1f)).intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = (a[aOff + i] < 0f ? fe[i] : f[i]) / (e[i] + 1f);
    }

    /** {@code sigmoid(z) + g sigmoid'(z) = g e / (1 + e)^2 + (z < 0 ? e : 1) / (1 + e)}; z has x's sign. */
    static void logisticGrad(float[] out, int o, float[] a, int aOff, int n, float[] f, float[] e, float[] ge) {
        int i = 0;
        for (int end = SimdMath.loopBound(n); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector ei = FloatVector.fromArray(F, e, i);
            FloatVector d = ei.add(1f);
            FloatVector s = x.broadcast(1f).blend(ei, x.lt(0f)).div(d);
            FloatVector.fromArray(F, ge, i).div(d.mul(d)).add(s).intoArray(out, o + i);
        }
        for (; i < n; i++) {
            float d = e[i] + 1f;
            out[o + i] = ge[i] / (d * d) + (a[aOff + i] < 0f ? e[i] : 1f) / d;
        }
    }
}
