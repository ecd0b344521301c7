package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float exp, tanh and log, each a vector computation and its scalar twin that performs the same IEEE operations in the
 * same order, so a lane and the scalar path give the same bits; and {@link #timesExp}, the exponential step that the
 * activations of {@link SimdActivations} share.
 *
 * <p>Why not {@code lanewise(EXP)}: once C2 compiles it, it calls Intel SVML (within 1 ulp), but the interpreter and
 * C1 run the Java fallback {@code (float) Math.exp(x)} instead; the same input would give different bits before and
 * after warm-up, or on two threads at different tiers. These functions use only add, multiply, divide, FMA, min/max,
 * blends and integer bit moves, which are exact IEEE operations in every tier.
 *
 * <p>exp: {@code exp(x) = 2^k * exp(r)} with {@code k = round(x / ln 2)} and {@code r = x - k ln 2} in
 * {@code [-ln2/2, ln2/2]} (Cody-Waite reduction with ln 2 split in two floats), {@code exp(r)} by its degree-7 Taylor
 * polynomial (truncation error {@code r^8/8! < 6e-9}, a tenth of a float ulp), and {@code 2^k} applied as two exact
 * powers of two so results that underflow into subnormals round once. The ulp bound of every function here is checked
 * by {@code SimdAccuracyTest}.
 *
 * <p>Why the heavier functions are loops over arrays rather than functions of a vector: C2 stops inlining our own
 * methods once a compilation holds about 18000 IR nodes (some 30 Vector API operations), and a vector passed to a method
 * that is not inlined is boxed on the heap, which makes a kernel a hundred times slower. The Vector API's own methods
 * are always inlined, so a loop that calls only them cannot fall off that cliff; {@link #timesExp} repeats exp's steps
 * inline for that reason.
 */
final class SimdMath {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    private static final float LOG2E = (float) (1 / Math.log(2));
    private static final float LN2_HI = (float) Math.log(2);
    private static final float LN2_LO = (float) (Math.log(2) - LN2_HI);
    /** 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to the nearest integer. */
    private static final float ROUND = 0x1.8p23f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    /** exp underflows to 0 below -104 and overflows above 89; clamping keeps k and 2^(k/2) in range. */
    static final float CLAMP = 150f;
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;
    /** The next Taylor coefficient, for expm1's degree-8 polynomial. */
    private static final float C8 = 1f / 40320;
    /** tanh is 1 in float beyond 10; clamping there keeps expm1(2|x|) finite. */
    private static final float TANH_CLAMP = 10f;
    private static final int SIGN_BIT = 0x80000000;
    /** log: the series coefficients 2/3, 2/5, 2/7, 2/9 of R. */
    private static final float L1 = 2f / 3, L2 = 2f / 5, L3 = 2f / 7, L4 = 2f / 9;
    private static final float TWO_23 = 0x1p23f;
    /** {@code bits(x) - SQRT_HALF_BITS} holds in its top 9 bits the k of {@code x = 2^k m}, m in [sqrt(1/2), sqrt 2). */
    private static final int SQRT_HALF_BITS = 0x3f3504f3;
    private static final int EXPONENT_BITS = 0xff800000;

    /**
     * The constants of {@link #exp(FloatVector)} as vectors. Broadcasting a scalar is a chain of calls that C2 counts
     * against a caller's inlining budget before it turns them into one instruction; with twenty of them per exp,
     * {@code SimdSoftmax.forward} ran out of budget ({@code NodeCountInliningCutoff}) and boxed every vector of its
     * loop: about 110 MB/s of garbage in a GPT-2 124M training step, 15 with these (the lane sums' arrays). The
     * forward's time did not move beyond the noise (B / A 0.98, 0.98 on 124M, 0.99, 1.03 on 16M with {@code gpt2-ab}).
     */
    private static final FloatVector V_CLAMP = FloatVector.broadcast(F, CLAMP);
    private static final FloatVector V_MINUS_CLAMP = FloatVector.broadcast(F, -CLAMP);
    private static final FloatVector V_LOG2E = FloatVector.broadcast(F, LOG2E);
    private static final FloatVector V_ROUND = FloatVector.broadcast(F, ROUND);
    private static final FloatVector V_MINUS_LN2_HI = FloatVector.broadcast(F, -LN2_HI);
    private static final FloatVector V_MINUS_LN2_LO = FloatVector.broadcast(F, -LN2_LO);
    private static final FloatVector V_C2 = FloatVector.broadcast(F, C2), V_C3 = FloatVector.broadcast(F, C3);
    private static final FloatVector V_C4 = FloatVector.broadcast(F, C4), V_C5 = FloatVector.broadcast(F, C5);
    private static final FloatVector V_C6 = FloatVector.broadcast(F, C6), V_C7 = FloatVector.broadcast(F, C7);
    private static final FloatVector V_ONE = FloatVector.broadcast(F, 1f);
    private static final IntVector V_ROUND_BITS = IntVector.broadcast(F.withLanes(int.class), ROUND_BITS);
    private static final IntVector V_127 = IntVector.broadcast(F.withLanes(int.class), 127);

    private SimdMath() {}

    /** {@code Simd.F.loopBound(n)}, or 0 when SIMD is switched off so the scalar twin does everything. */
    static int loopBound(int n) {
        return Simd.ENABLED ? F.loopBound(n) : 0;
    }

    static FloatVector exp(FloatVector x) {
        x = x.max(V_MINUS_CLAMP).min(V_CLAMP);  // as atLeast/atMost: NaN stays NaN, and no bound is zero
        FloatVector shifted = x.fma(V_LOG2E, V_ROUND), k = shifted.sub(V_ROUND);
        FloatVector r = k.fma(V_MINUS_LN2_HI, x);
        r = k.fma(V_MINUS_LN2_LO, r);
        FloatVector p = r.fma(V_C7, V_C6);
        p = p.fma(r, V_C5);
        p = p.fma(r, V_C4);
        p = p.fma(r, V_C3);
        p = p.fma(r, V_C2);
        p = p.fma(r, V_ONE);
        p = p.fma(r, V_ONE);
        IntVector n = exponent(shifted);
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
        return p.mul(powerOfTwo(n1)).mul(powerOfTwo(n.sub(n1)));
    }

    static float exp(float x) {
        x = Math.min(Math.max(x, -CLAMP), CLAMP);
        float k = roundK(x);
        return scale(expReduced(x, k), k);
    }

    /**
     * In place over {@code [0, n)}: {@code e = exp(arg) (1 + low)} into arg and {@code f e} into low, the product
     * rounded once even where it is subnormal (f multiplies the polynomial before the two powers of two). For
     * {@code arg <= -150} the product is {@code f * 0} (0 with f's sign, NaN for an infinite f), as
     * {@code exp(-inf) * f} is. {@code low} is a small correction of the exponent, {@code exp(arg + low)}.
     */
    static void timesExp(float[] arg, float[] low, float[] f, int n) {
        int i = 0;
        for (int end = loopBound(n); i < end; i += L) {
            FloatVector a = atLeast(FloatVector.fromArray(F, arg, i), -CLAMP);
            FloatVector fi = FloatVector.fromArray(F, f, i);
            FloatVector shifted = a.fma(LOG2E, ROUND), k = shifted.sub(ROUND);
            FloatVector r = k.fma(a.broadcast(-LN2_HI), a);
            r = k.fma(a.broadcast(-LN2_LO), r);
            FloatVector p = r.fma(C7, C6);
            p = p.fma(r, a.broadcast(C5));
            p = p.fma(r, a.broadcast(C4));
            p = p.fma(r, a.broadcast(C3));
            p = p.fma(r, a.broadcast(C2));
            p = p.fma(r, a.broadcast(1f));
            p = p.fma(r, a.broadcast(1f));
            p = p.fma(FloatVector.fromArray(F, low, i), p);
            IntVector kn = exponent(shifted);
            IntVector n1 = kn.lanewise(VectorOperators.ASHR, 1);
            FloatVector s1 = powerOfTwo(n1), s2 = powerOfTwo(kn.sub(n1));
            p.mul(s1).mul(s2).intoArray(arg, i);
            p.mul(fi).mul(s1).mul(s2).blend(fi.mul(0f), a.eq(-CLAMP)).intoArray(low, i);
        }
        for (; i < n; i++) {
            float a = Math.max(arg[i], -CLAMP);
            float k = roundK(a);
            float p = expReduced(a, k);
            p = Math.fma(p, low[i], p);
            arg[i] = scale(p, k);
            low[i] = a == -CLAMP ? f[i] * 0f : scale(p * f[i], k);
        }
    }

    /**
     * {@code tanh|x| = e / (e + 2)} with {@code e = expm1(2|x|)}, no cancellation anywhere (e and e + 2 are both
     * positive), the sign copied from x so that tanh(-0) = -0. {@code expm1(y) = 2^k expm1(r) + (2^k - 1)} with exp's
     * reduction, {@code expm1(r) = r + r^2 q(r)} by its degree-8 Taylor polynomial (truncation {@code r^9/9! < 6e-10 r})
     * and the last step one FMA; for k = 0 (|x| under ln2/4) the reduction is exact and tanh keeps full relative
     * accuracy down to the subnormals.
     */
    static void tanh(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + loopBound(to - from); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            FloatVector y = atMost(x.abs(), TANH_CLAMP);
            y = y.add(y);
            FloatVector shifted = y.fma(LOG2E, ROUND), k = shifted.sub(ROUND);
            FloatVector r = k.fma(y.broadcast(-LN2_HI), y);
            r = k.fma(y.broadcast(-LN2_LO), r);
            FloatVector q = r.fma(C8, C7);
            q = q.fma(r, y.broadcast(C6));
            q = q.fma(r, y.broadcast(C5));
            q = q.fma(r, y.broadcast(C4));
            q = q.fma(r, y.broadcast(C3));
            q = q.fma(r, y.broadcast(C2));
            FloatVector s = powerOfTwo(exponent(shifted));
            FloatVector e = r.mul(r).fma(q, r).fma(s, s.sub(1f));
            FloatVector t = e.div(e.add(2f));
            t.reinterpretAsInts().or(x.reinterpretAsInts().and(SIGN_BIT)).reinterpretAsFloats().intoArray(out, i);
        }
        for (; i < to; i++) {
            float x = a[aOff + i];
            float y = Math.min(Math.abs(x), TANH_CLAMP);
            float e = expm1(y + y);
            float t = e / (e + 2f);
            out[i] = Float.intBitsToFloat(Float.floatToRawIntBits(t) | (Float.floatToRawIntBits(x) & SIGN_BIT));
        }
    }

    /** {@code exp(y) - 1} as in {@link #tanh}, for {@code |y| <= 87}. */
    private static float expm1(float y) {
        float k = roundK(y);
        float r = Math.fma(k, -LN2_HI, y);
        r = Math.fma(k, -LN2_LO, r);
        float q = Math.fma(r, C8, C7);
        q = Math.fma(q, r, C6);
        q = Math.fma(q, r, C5);
        q = Math.fma(q, r, C4);
        q = Math.fma(q, r, C3);
        q = Math.fma(q, r, C2);
        float s = powerOfTwo((int) k);
        return Math.fma(Math.fma(r * r, q, r), s, s - 1f);
    }

    /**
     * Natural logarithm. {@code x = 2^k m} with m in {@code [sqrt(1/2), sqrt 2)} (subnormal x scaled by 2^23 first), and
     * with {@code f = m - 1} (exact), {@code s = f / (2 + f)}: {@code log(m) = 2 atanh(s) = 2s + s R(s^2)} where
     * {@code R(z) = 2z/3 + 2z^2/5 + 2z^3/7 + 2z^4/9} (|s| &lt;= 0.172, so the truncated series is off by under 2e-9
     * relative). As in fdlibm's logf, {@code 2s} is written {@code f - hfsq + s hfsq} with {@code hfsq = f^2/2}, so the
     * large part f is added last, and {@code k ln 2} is added in two pieces, the large one by an exact FMA.
     * log(0) = -inf, log(x &lt; 0) = NaN, log(+inf) = +inf.
     */
    static void log(float[] out, float[] a, int aOff, int from, int to) {
        int i = from;
        for (int end = from + loopBound(to - from); i < end; i += L) {
            FloatVector x = FloatVector.fromArray(F, a, aOff + i);
            VectorMask<Float> subnormal = x.lt(Float.MIN_NORMAL);
            IntVector ix = x.blend(x.mul(TWO_23), subnormal).reinterpretAsInts();
            IntVector tmp = ix.sub(SQRT_HALF_BITS);
            FloatVector m = ix.sub(tmp.and(EXPONENT_BITS)).reinterpretAsFloats();
            FloatVector k = ((FloatVector) tmp.lanewise(VectorOperators.ASHR, 23).convert(VectorOperators.I2F, 0))
                    .add(x.broadcast(0f).blend(-23f, subnormal));
            FloatVector f = m.sub(1f);
            FloatVector s = f.div(f.add(2f));
            FloatVector z = s.mul(s);
            FloatVector r = z.fma(L4, L3);
            r = r.fma(z, x.broadcast(L2));
            r = r.fma(z, x.broadcast(L1)).mul(z);
            FloatVector hfsq = f.mul(f).mul(0.5f);
            FloatVector y = k.fma(x.broadcast(LN2_LO), s.mul(hfsq.add(r)));
            k.fma(x.broadcast(LN2_HI), f.sub(hfsq.sub(y)))
                    .blend(Float.NEGATIVE_INFINITY, x.eq(0f))
                    .blend(Float.NaN, x.lt(0f))
                    .blend(x, x.lt(Float.POSITIVE_INFINITY).not())
                    .intoArray(out, i);
        }
        for (; i < to; i++) out[i] = log(a[aOff + i]);
    }

    private static float log(float x) {
        if (!(x < Float.POSITIVE_INFINITY)) return x;
        if (x < 0f) return Float.NaN;
        if (x == 0f) return Float.NEGATIVE_INFINITY;
        boolean subnormal = x < Float.MIN_NORMAL;
        int ix = Float.floatToRawIntBits(subnormal ? x * TWO_23 : x);
        int tmp = ix - SQRT_HALF_BITS;
        float m = Float.intBitsToFloat(ix - (tmp & EXPONENT_BITS));
        float k = (float) (tmp >> 23) + (subnormal ? -23f : 0f);
        float f = m - 1f;
        float s = f / (f + 2f);
        float z = s * s;
        float r = Math.fma(z, L4, L3);
        r = Math.fma(r, z, L2);
        r = Math.fma(r, z, L1) * z;
        float hfsq = f * f * 0.5f;
        float y = Math.fma(k, LN2_LO, s * (hfsq + r));
        return Math.fma(k, LN2_HI, f - (hfsq - y));
    }

    /** {@code k = round(x / ln 2)}, as a float, for {@code |x| <= CLAMP}. */
    private static float roundK(float x) {
        return Math.fma(x, LOG2E, ROUND) - ROUND;
    }

    /** {@code exp(r)} for {@code r = x - k ln 2}, by the degree-7 Taylor polynomial. */
    private static float expReduced(float x, float k) {
        float r = Math.fma(k, -LN2_HI, x);
        r = Math.fma(k, -LN2_LO, r);
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        return Math.fma(p, r, 1f);
    }

    /** {@code p * 2^k} as two exact powers of two, so a result that underflows into the subnormals rounds once. */
    private static float scale(float p, float k) {
        int n = (int) k;
        int n1 = n >> 1;
        return p * powerOfTwo(n1) * powerOfTwo(n - n1);
    }

    /**
     * The integer k of {@code shifted = x log2(e) + ROUND}, {@code k = shifted - ROUND}, as ints: adding 1.5 * 2^23 put
     * k in the low bits of the significand, so subtracting ROUND's bit pattern reads it exactly (|k| &lt; 2^22). The
     * same numbers as {@code (int) k} (a NaN lane gives any int, and the NaN it multiplies stays NaN), without the
     * float-to-int conversion, whose Java semantics for NaN and overflow cost C2 eight instructions per vector.
     */
    private static IntVector exponent(FloatVector shifted) {
        return shifted.reinterpretAsInts().sub(V_ROUND_BITS);
    }

    /** {@code Math.max(x, lo)} for {@code lo} not zero: a compare and a blend (NaN stays NaN, as with max). */
    static FloatVector atLeast(FloatVector x, float lo) {
        return x.blend(x.broadcast(lo), x.lt(lo));
    }

    /** {@code Math.min(x, hi)} for {@code hi} not zero: a compare and a blend (NaN stays NaN, as with min). */
    static FloatVector atMost(FloatVector x, float hi) {
        return x.blend(x.broadcast(hi), x.compare(VectorOperators.GT, hi));
    }

    private static FloatVector powerOfTwo(IntVector n) {
        return n.add(V_127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    private static float powerOfTwo(int n) {
        return Float.intBitsToFloat((n + 127) << 23);
    }
}
