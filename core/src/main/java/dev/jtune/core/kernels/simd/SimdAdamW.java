package dev.jtune.core.kernels.simd;

import dev.jtune.core.backend.AdamWStep;
import dev.jtune.core.kernels.ScalarAdamW;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The AdamW update with the Vector API: each of p, g, m, v is read once and p, m, v written once per element. The
 * operations are the scalar kernel's, in the same order and without fused multiply-adds (every one is a correctly
 * rounded IEEE operation, and sqrt of a float is the same whether taken in float or in double and rounded), so the
 * result is bit-identical to {@link ScalarAdamW}.
 */
public final class SimdAdamW {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private SimdAdamW() {}

    public static void update(float[] p, float[] g, float[] m, float[] v, AdamWStep s, int from, int to) {
        int i = from;
        if (Simd.ENABLED) {
            for (int end = from + F.loopBound(to - from); i < end; i += L) {
                FloatVector gi = FloatVector.fromArray(F, g, i).mul(s.gradScale());
                FloatVector pi = FloatVector.fromArray(F, p, i);
                if (s.decays()) pi = pi.mul(s.decay());
                FloatVector mi = FloatVector.fromArray(F, m, i);
                mi = mi.add(gi.sub(mi).mul(s.w1()));
                FloatVector vi = FloatVector.fromArray(F, v, i).mul(s.beta2()).add(gi.mul(s.w2()).mul(gi));
                FloatVector denom = vi.sqrt().div(s.bc2Sqrt()).add(s.eps());
                pi = pi.add(mi.mul(s.stepSize()).div(denom));
                mi.intoArray(m, i);
                vi.intoArray(v, i);
                pi.intoArray(p, i);
            }
        }
        ScalarAdamW.update(p, g, m, v, s, i, to);
    }
}
