package dev.jtune.tornado;

import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.backend.KvLayout;
import dev.jtune.core.kernels.ScalarAttention;
import java.util.Random;
import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.U;

/**
 * Attention on the device (matmuls around a masked softmax, and dropout) against core's {@code ScalarAttention}, causal
 * with Tq = Tk and with Tq &lt; Tk (a query sees the keys up to its position among the last Tq), with padded keys,
 * including a batch row whose keys are all padding (uniform weights), head sizes that are not multiples of the tile,
 * with and without a dropout bitset.
 *
 * <p>Tolerance, stated against magnitudes: each output is a chain of float sums (hs terms for a score, Tk for the
 * softmax sum and for {@code P v}, hsv for {@code dP}, Tq or Tk for the gradients) plus a few ulp from exp and the
 * division; an error e in a score moves the weights by a relative e. So every output is within {@code (hs + hsv + Tq +
 * Tk + 16) u (1 + 2 max|score|)} times its magnitude: {@code P |v|} for out, p for p, and for the gradients the same
 * products with every term made positive: {@code |dS| <= p (|dP| + sum_j |dP_j| p_j) scale} with {@code |dP| = |dout|
 * |v|^T}, then {@code |dS| |k|}, {@code |dS|^T |q|}, {@code p^T |dout|}. With dropout, P in {@code P |v|} and
 * {@code p^T |dout|}, and dP, are the dropped ones (one more rounding each, within the 16).
 */
class AttentionKernelsTest {

    @Test
    void forwardAndBackwardMatchTheScalarKernel() {
        // batch, heads, tq, tk, hs, hsv, causal, padded
        int[][] cases = {{1, 2, 7, 7, 16, 16, 1, 0}, {2, 2, 5, 9, 33, 8, 1, 1}, {2, 1, 3, 17, 4, 5, 0, 1},
            {1, 1, 1, 1, 1, 1, 1, 0}};
        for (int[] c : cases) check(c, false);
    }

    /**
     * With a dropout bitset (keep scale 1 / 0.9 rounded to float, as GPT-2's 0.1 gives): Tq != Tk, padding with a
     * fully padded batch row, and weight counts that are not multiples of 32 or 64 (the bitset's words).
     */
    @Test
    void forwardAndBackwardWithDropoutMatchTheScalarKernel() {
        int[][] cases = {{2, 2, 5, 9, 33, 8, 1, 1}, {2, 3, 3, 17, 4, 5, 0, 1}, {1, 2, 7, 7, 16, 16, 1, 0},
            {3, 1, 11, 6, 3, 70, 0, 1}, {1, 1, 1, 1, 1, 1, 0, 0}};
        for (int[] c : cases) check(c, true);
    }

    /**
     * The dropout kernel alone, its bitset sent 3 longs at a time, in and out of place: exactly {@code x *
     * dropoutFactor(i)}, so an infinity dropped is NaN and one kept stays infinite.
     */
    @Test
    void dropoutInChunksMultipliesEachWeightByItsFactor() {
        int count = 5 * 64 + 37;
        AttentionMask mask = new AttentionMask(1, false, null, bits(6, count), 1 / 0.9f);
        float[] x = TestDevice.values(5, count, 1);
        int droppedAt = 100, keptAt = 200;
        while (mask.dropoutFactor(droppedAt) != 0) droppedAt++;
        while (mask.dropoutFactor(keptAt) == 0) keptAt++;
        x[droppedAt] = Float.POSITIVE_INFINITY;
        x[keptAt] = Float.NEGATIVE_INFINITY;
        float[] want = new float[count];
        for (int i = 0; i < count; i++) want[i] = (float) (x[i] * mask.dropoutFactor(i));
        int at = TestDevice.put(x), out = ARENA.allocate(count);
        OPS.dropout(out, at, mask, count, 3);
        TestDevice.exact("dropout out of place", want, TestDevice.get(out, count));
        OPS.dropout(at, at, mask, count, 3);
        TestDevice.exact("dropout in place", want, TestDevice.get(at, count));
        ARENA.free(at);
        ARENA.free(out);
    }

    /**
     * One case, {@code {batch, heads, tq, tk, hs, hsv, causal, padded}}, against {@code ScalarAttention} within the
     * bound of the class comment, where with dropout P and dP are the dropped ones.
     */
    private static void check(int[] c, boolean dropout) {
        int batch = c[0], heads = c[1], tq = c[2], tk = c[3], hs = c[4], hsv = c[5], n = batch * heads;
        boolean[] padded = null;
        if (c[7] == 1) {
            padded = new boolean[batch * tk];
            for (int j = 0; j < tk; j++) padded[j] = j % 3 == 1;             // some keys of row 0
            for (int j = 0; j < tk; j++) padded[(batch - 1) * tk + j] |= batch > 1; // every key of the last row
        }
        long[] kept = dropout ? bits(7, n * tq * tk) : null;
        AttentionMask mask = new AttentionMask(heads, c[6] == 1, padded, kept, dropout ? 1 / 0.9f : 1);
        double scale = 1 / Math.sqrt(hs);
        float[] q = TestDevice.values(1, n * tq * hs, 1), k = TestDevice.values(2, n * tk * hs, 1);
        float[] v = TestDevice.values(3, n * tk * hsv, 1), dout = TestDevice.values(4, n * tq * hsv, 1);
        float[] out = new float[n * tq * hsv], p = new float[n * tq * tk];
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        ScalarAttention.forward(out, p, q, k, v, mask, n, tq, tk, hs, hsv, KvLayout.dense(tk, hs, hsv), scale);
        ScalarAttention.backward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, scale);

        int atQ = TestDevice.put(q), atK = TestDevice.put(k), atV = TestDevice.put(v);
        int atDout = TestDevice.put(dout);
        int atOut = ARENA.allocate(out.length), atP = ARENA.allocate(p.length);
        int atDq = ARENA.allocate(q.length), atDk = ARENA.allocate(k.length), atDv = ARENA.allocate(v.length);
        OPS.attention(atOut, atP, atQ, atK, atV, mask, n, tq, tk, hs, hsv, KvLayout.dense(tk, hs, hsv), (float) scale);
        OPS.attentionBackward(atDq, atDk, atDv, atDout, atP, atQ, atK, atV, mask, n, tq, tk, hs, hsv,
                (float) scale);

        float[] pGot = TestDevice.get(atP, p.length), pDropped = dropped(p, mask);
        float[] mOut = new float[out.length], mQ = new float[q.length], mK = new float[k.length];
        float[] mV = new float[v.length];
        float[] mDp = new float[p.length], mDs = new float[p.length];
        int[] qs = batch(n, tq * hs), ks = batch(n, tk * hs), vs = batch(n, tk * hsv), ps = batch(n, tq * tk);
        int[] outs = batch(n, tq * hsv);
        float[] absQ = TestDevice.abs(q), absK = TestDevice.abs(k), absV = TestDevice.abs(v);
        float[] absDout = TestDevice.abs(dout);
        TestDevice.REFERENCE.matmul(mOut, pDropped, ps, tk, 1, absV, vs, hsv, 1, tq, hsv, tk);
        TestDevice.REFERENCE.matmul(mDp, absDout, outs, hsv, 1, absV, vs, 1, hsv, tq, tk, hsv);
        mDp = dropped(mDp, mask);
        for (int row = 0; row < n * tq; row++) {
            double s = 0;
            for (int j = 0; j < tk; j++) s += mDp[row * tk + j] * p[row * tk + j];
            for (int j = 0; j < tk; j++) {
                mDs[row * tk + j] = (float) (p[row * tk + j] * (mDp[row * tk + j] + s) * scale);
            }
        }
        TestDevice.REFERENCE.matmul(mQ, mDs, ps, tk, 1, absK, ks, hs, 1, tq, hs, tk);
        TestDevice.REFERENCE.matmul(mK, mDs, ps, 1, tk, absQ, qs, hs, 1, tk, hs, tq);
        TestDevice.REFERENCE.matmul(mV, pDropped, ps, 1, tk, absDout, outs, hsv, 1, tk, hsv, tq);
        double factor = (hs + hsv + tq + tk + 16) * U * (1 + 2 * maxScore(q, k, n, tq, tk, hs) * scale);
        String what = java.util.Arrays.toString(c) + (dropout ? " dropout" : "");
        TestDevice.within("out " + what, out, TestDevice.get(atOut, out.length), scaled(mOut, factor));
        TestDevice.within("p " + what, p, pGot, scaled(p, factor));
        TestDevice.within("dq " + what, dq, TestDevice.get(atDq, q.length), scaled(mQ, factor));
        TestDevice.within("dk " + what, dk, TestDevice.get(atDk, k.length), scaled(mK, factor));
        TestDevice.within("dv " + what, dv, TestDevice.get(atDv, v.length), scaled(mV, factor));
        for (int at : new int[] {atQ, atK, atV, atDout, atOut, atP, atDq, atDk, atDv}) ARENA.free(at);
    }

    /** A seeded dropout bitset over {@code count} weights, about 90% kept (GPT-2's attention dropout 0.1). */
    private static long[] bits(long seed, int count) {
        Random rnd = new Random(seed);
        long[] kept = new long[Math.ceilDiv(count, 64)];
        for (int i = 0; i < count; i++) {
            if (rnd.nextInt(10) != 0) kept[i >>> 6] |= 1L << i;
        }
        return kept;
    }

    /** {@code x} times its dropout factors (a copy of x without dropout). */
    private static float[] dropped(float[] x, AttentionMask mask) {
        float[] y = x.clone();
        for (int i = 0; mask.dropout() && i < y.length; i++) y[i] = (float) (x[i] * mask.dropoutFactor(i));
        return y;
    }

    private static int[] batch(int n, int stride) {
        int[] offsets = new int[n];
        for (int b = 0; b < n; b++) offsets[b] = b * stride;
        return offsets;
    }

    private static double maxScore(float[] q, float[] k, int n, int tq, int tk, int hs) {
        double max = 0;
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < tq; i++) {
                for (int j = 0; j < tk; j++) {
                    double s = 0;
                    for (int l = 0; l < hs; l++) s += Math.abs(q[(b * tq + i) * hs + l] * k[(b * tk + j) * hs + l]);
                    max = Math.max(max, s);
                }
            }
        }
        return max;
    }

    private static double[] scaled(float[] magnitude, double factor) {
        double[] tol = new double[magnitude.length];
        for (int i = 0; i < tol.length; i++) tol[i] = factor * Math.abs(magnitude[i]) + Float.MIN_NORMAL;
        return tol;
    }
}
