package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.L;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attention part of the backend contract: fused attention forward (with and without keeping the weights) and
 * backward compute {@link ReferenceBackend}'s results, for query and key lengths around the vector length (Tq != Tk
 * included), head sizes off it, causal or not, with padding and dropout masks. Each result is held to
 * {@code 1e-5 max(1, max |want|)}, as the fused CPU kernel is held to its naive twin.
 */
public interface AttentionContract extends ContractTarget {

    @Test
    default void attentionForwardAndBackwardMatchTheReferenceOnAwkwardSizesAndMasks() {
        Random rnd = new Random(16);
        int b = 2, heads = 2, n = b * heads;
        float scale = 0.3f;
        for (int tq : new int[] {0, 1, L + 1, 17}) {
            for (int tk : new int[] {tq, tq + 5}) {
                for (int hs : new int[] {1, L - 1, L + 1}) {
                    for (boolean causal : new boolean[] {false, true}) {
                        int hsv = rnd.nextInt(2 * L + 4) + 1;
                        AttentionMask mask = mask(rnd, b, heads, tq, tk, causal);
                        float[] q = data(rnd, n * tq * hs), k = data(rnd, n * tk * hs), v = data(rnd, n * tk * hsv);
                        float[] dout = data(rnd, n * tq * hsv);
                        String what = backend().name() + " attention Tq=" + tq + " Tk=" + tk + " hs=" + hs + " hsv="
                                + hsv + (causal ? " causal" : "") + (mask.padded() != null ? " padded" : "")
                                + (mask.dropout() ? " dropout" : "") + (mask.window() > 0 ? " window=" + mask.window() : "");
                        float[][] want = run(REFERENCE, q, k, v, dout, mask, n, tq, tk, hs, hsv, scale);
                        float[][] got = run(backend(), q, k, v, dout, mask, n, tq, tk, hs, hsv, scale);
                        String[] parts = {"out", "p", "dq", "dk", "dv", "out without p"};
                        for (int part = 0; part < parts.length; part++) {
                            assertWithin(what + " " + parts[part], want[part], got[part], 0, 1e-5 * peak(want[part]));
                        }
                    }
                }
            }
        }
    }

    @Test
    default void attentionReadsKeysAndValuesInPlaceSpacedApartAndSharedByGroupsOfHeads() {
        // A KV cache's buffer: each key head's Tk positions are followed by room for `spare` more, filled with NaN
        // here so that reading any of it shows in the output; and with groups, each key head serves `group`
        // consecutive query heads. The result must be the dense call's on keys and values repeated per query head,
        // bit for bit: the same arithmetic on the same values.
        Random rnd = new Random(17);
        int b = 2, heads = 6, n = b * heads, hs = L + 3, hsv = L - 1, spare = 5;
        for (int group : new int[] {1, 3}) {
            for (int[] lengths : new int[][] {{1, 1}, {1, L}, {2, 2 * L + 1}}) {
                int tq = lengths[0], tk = lengths[1], kvN = n / group;
                AttentionMask mask = new AttentionMask(heads, true, null, null, 1f, 0);
                float[] q = data(rnd, n * tq * hs), k = data(rnd, kvN * tk * hs), v = data(rnd, kvN * tk * hsv);
                float[] want = new float[n * tq * hsv], got = new float[want.length];
                backend().attention(want, null, q, repeated(k, kvN, tk * hs, group),
                        repeated(v, kvN, tk * hsv, group), mask, n, tq, tk, hs, hsv, KvLayout.dense(tk, hs, hsv), 0.3f);
                KvLayout inPlace = new KvLayout((tk + spare) * hs, (tk + spare) * hsv, group);
                backend().attention(got, null, q, spaced(k, kvN, tk * hs, inPlace.kStride()),
                        spaced(v, kvN, tk * hsv, inPlace.vStride()), mask, n, tq, tk, hs, hsv, inPlace, 0.3f);
                assertArrayEquals(want, got, backend().name() + " group=" + group + " Tq=" + tq + " Tk=" + tk);
            }
        }
    }

    /** Each of {@code n} matrices of {@code size} values, {@code times} times in a row. */
    private static float[] repeated(float[] dense, int n, int size, int times) {
        float[] out = new float[n * times * size];
        for (int m = 0; m < n * times; m++) System.arraycopy(dense, m / times * size, out, m * size, size);
        return out;
    }

    /** {@code n} matrices of {@code size} values copied {@code stride} apart, the gaps filled with NaN. */
    private static float[] spaced(float[] dense, int n, int size, int stride) {
        float[] spaced = new float[n * stride];
        Arrays.fill(spaced, Float.NaN);
        for (int b = 0; b < n; b++) System.arraycopy(dense, b * size, spaced, b * stride, size);
        return spaced;
    }

    /** Output, weights, dq, dk, dv, and the output of a forward that keeps no weights. */
    private static float[][] run(HostBackend backend, float[] q, float[] k, float[] v, float[] dout, AttentionMask mask,
                                 int n, int tq, int tk, int hs, int hsv, float scale) {
        float[] out = new float[n * tq * hsv], p = new float[n * tq * tk], outOnly = new float[out.length];
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        backend.attention(out, p, q, k, v, mask, n, tq, tk, hs, hsv, KvLayout.dense(tk, hs, hsv), scale);
        backend.attentionBackward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, scale);
        backend.attention(outOnly, null, q, k, v, mask, n, tq, tk, hs, hsv, KvLayout.dense(tk, hs, hsv), scale);
        return new float[][] {out, p, dq, dk, dv, outOnly};
    }

    /** A random mask: padding keys, a dropout bitset (keep scale 2) and a sliding window each present half the time. */
    private static AttentionMask mask(Random rnd, int b, int heads, int tq, int tk, boolean causal) {
        boolean[] padded = rnd.nextBoolean() ? null : new boolean[b * tk];
        for (int i = 0; padded != null && i < padded.length; i++) padded[i] = rnd.nextInt(3) == 0;
        long[] kept = rnd.nextBoolean() ? null : rnd.longs((b * heads * tq * tk + 63) / 64).toArray();
        int window = rnd.nextBoolean() ? 0 : rnd.nextInt(tk + 1);
        return new AttentionMask(heads, causal, padded, kept, 2f, window);
    }

    private static float[] data(Random rnd, int size) {
        return toFloat(values(rnd, size, 1, false));
    }

    /** {@code max(1, max |x|)}: the scale the part's error is measured against. */
    private static double peak(float[] x) {
        double peak = 1;
        for (float f : x) peak = Math.max(peak, Math.abs(f));
        return peak;
    }
}
