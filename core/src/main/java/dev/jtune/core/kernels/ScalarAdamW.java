package dev.jtune.core.kernels;

import dev.jtune.core.backend.AdamWStep;

/** The AdamW update over elements {@code [from, to)}, one element at a time: the twin of the vector kernel. */
public final class ScalarAdamW {

    private ScalarAdamW() {}

    public static void update(float[] p, float[] g, float[] m, float[] v, AdamWStep s, int from, int to) {
        for (int i = from; i < to; i++) {
            float gi = g[i] * s.gradScale();
            if (s.decays()) p[i] *= s.decay();
            m[i] = m[i] + s.w1() * (gi - m[i]);
            v[i] = v[i] * s.beta2() + s.w2() * gi * gi;
            float denom = (float) Math.sqrt(v[i]) / s.bc2Sqrt() + s.eps();
            p[i] = p[i] + s.stepSize() * m[i] / denom;
        }
    }
}
