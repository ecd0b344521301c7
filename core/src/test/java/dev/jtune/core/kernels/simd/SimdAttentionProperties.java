package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.backend.KvLayout;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.ScalarAttention;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of {@link SimdAttention}: it matches its naive twin {@link ScalarAttention} forward and backward on random
 * sizes (off the vector length, Tq != Tk), masks, sliding windows and dropout bitsets, and its results are
 * bit-identical for any thread count (at lengths where each head is worth a thread of its own).
 */
class SimdAttentionProperties {

    /** Random q, k, v, output gradient and mask for one problem of {@code n = B * H} matrices. */
    private record Problem(int n, int heads, int tq, int tk, int hs, int hsv, float[] q, float[] k, float[] v,
                           float[] dout, AttentionMask mask) {

        static Problem random(long seed, int b, int heads, int tq, int tk, int hs, int hsv, boolean causal) {
            Random rnd = new Random(seed);
            int n = b * heads;
            boolean[] padded = rnd.nextBoolean() ? null : new boolean[b * tk];
            if (padded != null) {
                for (int i = 0; i < padded.length; i++) padded[i] = rnd.nextInt(3) == 0;
            }
            long[] kept = rnd.nextBoolean() ? null : new long[(n * tq * tk + 63) / 64];
            if (kept != null) {
                for (int i = 0; i < kept.length; i++) kept[i] = rnd.nextLong();
            }
            int window = rnd.nextBoolean() ? 0 : rnd.nextInt(tk + 1);
            AttentionMask mask = new AttentionMask(heads, causal, padded, kept, 2f, window);
            return new Problem(n, heads, tq, tk, hs, hsv, values(rnd, n * tq * hs), values(rnd, n * tk * hs),
                    values(rnd, n * tk * hsv), values(rnd, n * tq * hsv), mask);
        }

        /** Output, weights, dq, dk, dv by {@link SimdAttention}, or by {@link ScalarAttention}. */
        List<float[]> run(boolean simd) {
            float[] out = new float[n * tq * hsv], p = new float[n * tq * tk];
            float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
            if (simd) {
                SimdAttention.forward(out, p, q, k, v, mask, n, tq, tk, hs, hsv, KvLayout.dense(tk, hs, hsv), 0.3f);
                SimdAttention.backward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, 0.3f);
            } else {
                ScalarAttention.forward(out, p, q, k, v, mask, n, tq, tk, hs, hsv, KvLayout.dense(tk, hs, hsv), 0.3f);
                ScalarAttention.backward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, 0.3f);
            }
            return List.of(out, p, dq, dk, dv);
        }

        private static float[] values(Random rnd, int size) {
            float[] a = new float[size];
            for (int i = 0; i < size; i++) a[i] = (float) rnd.nextGaussian();
            return a;
        }
    }

    @Property(tries = 150)
    void simdMatchesScalar(@ForAll @IntRange(min = 1, max = 2) int b, @ForAll @IntRange(min = 1, max = 3) int heads,
                           @ForAll @IntRange(min = 0, max = 20) int tq, @ForAll @IntRange(min = 0, max = 20) int extra,
                           @ForAll @IntRange(min = 0, max = 33) int hs, @ForAll @IntRange(min = 1, max = 33) int hsv,
                           @ForAll boolean causal, @ForAll long seed) {
        Problem pr = Problem.random(seed, b, heads, tq, tq + extra, hs, hsv, causal);
        List<float[]> want = pr.run(false), got = pr.run(true);
        String[] names = {"out", "p", "dq", "dk", "dv"};
        for (int part = 0; part < want.size(); part++) {
            float[] w = want.get(part), g = got.get(part);
            float scale = 1;
            for (float x : w) scale = Math.max(scale, Math.abs(x));
            for (int i = 0; i < w.length; i++) {
                if (!(Math.abs(w[i] - g[i]) <= 1e-5f * scale)) {
                    fail(names[part] + "[" + i + "]: scalar " + w[i] + ", simd " + g[i]);
                }
            }
        }
    }

    @Property(tries = 20)
    void resultsDoNotDependOnTheThreadCount(@ForAll @IntRange(min = 1, max = 4) int b,
                                            @ForAll @IntRange(min = 150, max = 260) int t,
                                            @ForAll @IntRange(min = 2, max = 5) int threads, @ForAll long seed) {
        Problem pr = Problem.random(seed, b, 3, t, t, 19, 21, true);
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<float[]> serial = pr.run(true);
            Parallel.setThreads(threads);
            List<float[]> parallel = pr.run(true);
            for (int part = 0; part < serial.size(); part++) {
                assertArrayEquals(serial.get(part), parallel.get(part), threads + " threads, part " + part);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
