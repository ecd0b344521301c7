package dev.jtune.core.kernels.simd;

import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.backend.KvLayout;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.ScalarAttention;
import java.util.Arrays;

/**
 * Fused F32 scaled-dot-product attention, forward and backward: the same function as {@link ScalarAttention}, one
 * (batch, head) matrix at a time in per-thread scratch, the products on {@link SimdProduct} and the softmax on
 * {@link SimdSoftmax}, parallel over the {@code N = B * H} matrices.
 *
 * <p>Shapes as in {@link ScalarAttention}: {@code q [N, Tq, hs]}, {@code k [N, Tk, hs]}, {@code v [N, Tk, hsv]},
 * {@code out [N, Tq, hsv]}, weights {@code p [N, Tq, Tk]}. Each matrix is computed whole by one thread with the kernels
 * the composed ops use, in the same order, so results do not depend on the thread count and equal the composed ops'
 * on this backend. With {@code -Djtune.simd=false} it runs {@link ScalarAttention}.
 */
public final class SimdAttention {

    private static final float LOWEST = -Float.MAX_VALUE;
    /** Below this many flops a run of matrices is not worth a thread (decoding one token is far below it). */
    private static final long MIN_FLOPS_PER_TASK = 4_000_000;

    /** One thread's working matrices, grown on demand and reused across calls. */
    private static final class Scratch {
        float[] w = new float[0];  // (Tq, Tk) weights
        float[] dw = new float[0]; // (Tq, Tk) their gradient, or the dropped weights
        float[] o = new float[0];  // (max(Tq, Tk), max(hs, hsv)) a product before it is copied out

        Scratch fit(int weights, int products) {
            if (w.length < weights) {
                w = new float[weights];
                dw = new float[weights];
            }
            if (o.length < products) o = new float[products];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private SimdAttention() {}

    /**
     * {@code out = dropout(softmax(mask(q k^T * scale))) v}; stores the softmax weights in {@code p} unless null. Query
     * matrix {@code b} reads its keys and values where {@code kv} says.
     */
    public static void forward(float[] out, float[] p, float[] q, float[] k, float[] v, AttentionMask mask,
                               int n, int tq, int tk, int hs, int hsv, KvLayout kv, float scale) {
        if (!Simd.ENABLED) {
            ScalarAttention.forward(out, p, q, k, v, mask, n, tq, tk, hs, hsv, kv, scale);
            return;
        }
        int[] at0 = {0};
        Parallel.forRange(n, grain(tq, tk, hs, hsv), (b0, b1) -> {
            Scratch s = SCRATCH.get().fit(tq * tk, Math.max(tq, tk) * Math.max(hs, hsv));
            for (int b = b0; b < b1; b++) {
                weights(s.w, q, k, kv.keys(b), mask, b, tq, tk, hs, scale);
                if (p != null) System.arraycopy(s.w, 0, p, b * tq * tk, tq * tk);
                float[] pd = dropout(s.dw, s.w, mask, b, tq, tk);
                SimdProduct.matmul(s.o, pd, at0, tk, 1, v, new int[] {kv.values(b)}, hsv, 1, tq, hsv, tk);
                System.arraycopy(s.o, 0, out, b * tq * hsv, tq * hsv);
            }
        });
    }

    /**
     * The input gradients {@code dq, dk, dv} from the output gradient {@code dout [N, Tq, hsv]} and the forward's
     * weights {@code p}, as {@link ScalarAttention#backward}.
     */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p, float[] q, float[] k,
                                float[] v, AttentionMask mask, int n, int tq, int tk, int hs, int hsv, float scale) {
        if (!Simd.ENABLED) {
            ScalarAttention.backward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, scale);
            return;
        }
        int[] at0 = {0};
        Parallel.forRange(n, grain(tq, tk, hs, hsv), (b0, b1) -> {
            Scratch s = SCRATCH.get().fit(tq * tk, Math.max(tq, tk) * Math.max(hs, hsv));
            for (int b = b0; b < b1; b++) {
                int[] qAt = {b * tq * hs}, kAt = {b * tk * hs}, vAt = {b * tk * hsv}, doutAt = {b * tq * hsv};
                System.arraycopy(p, b * tq * tk, s.w, 0, tq * tk);
                float[] pd = dropout(s.dw, s.w, mask, b, tq, tk);
                SimdProduct.matmul(s.o, pd, at0, 1, tk, dout, doutAt, hsv, 1, tk, hsv, tq);   // dv = P'^T dout
                System.arraycopy(s.o, 0, dv, b * tk * hsv, tk * hsv);
                SimdProduct.matmul(s.dw, dout, doutAt, hsv, 1, v, vAt, 1, hsv, tq, tk, hsv);  // dP' = dout v^T
                scoreGradient(s.dw, s.w, mask, b, tq, tk, scale);                             // dS
                SimdProduct.matmul(s.o, s.dw, at0, tk, 1, k, kAt, hs, 1, tq, hs, tk);          // dq = dS k
                System.arraycopy(s.o, 0, dq, b * tq * hs, tq * hs);
                SimdProduct.matmul(s.o, s.dw, at0, 1, tk, q, qAt, hs, 1, tk, hs, tq);          // dk = dS^T q
                System.arraycopy(s.o, 0, dk, b * tk * hs, tk * hs);
            }
        });
    }

    /** Matrices per task: enough that a task does at least {@link #MIN_FLOPS_PER_TASK} of forward products. */
    private static int grain(int tq, int tk, int hs, int hsv) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, MIN_FLOPS_PER_TASK / Math.max(1, 2L * tq * tk * (hs + hsv))));
    }

    /**
     * The softmax weights {@code w (Tq, Tk)} of matrix {@code b}, whose keys start at {@code k[k0]}: scores, scaled,
     * masked to the lowest float.
     */
    private static void weights(float[] w, float[] q, float[] k, int k0, AttentionMask mask, int b, int tq, int tk,
                                int hs, float scale) {
        SimdProduct.matmul(w, q, new int[] {b * tq * hs}, hs, 1, k, new int[] {k0}, 1, hs, tq, tk, hs);
        for (int i = 0; i < tq; i++) {
            int row = i * tk;
            SimdSoftmax.scale(w, row, tk, scale);
            Arrays.fill(w, row, row + mask.windowStart(i, tq, tk), LOWEST);
            Arrays.fill(w, row + mask.causalEnd(i, tq, tk), row + tk, LOWEST);
            if (mask.padded() != null) {
                for (int j = 0; j < tk; j++) {
                    if (mask.masked(b, i, j, tq, tk)) w[row + j] = LOWEST;
                }
            }
        }
        SimdSoftmax.forward(w, w, tk, 0, tq, false);
    }

    /** The dropped weights {@code w * dropout factor} in {@code into}, or {@code w} itself without dropout. */
    private static float[] dropout(float[] into, float[] w, AttentionMask mask, int b, int tq, int tk) {
        if (!mask.dropout()) return w;
        long base = (long) b * tq * tk;
        for (int x = 0; x < tq * tk; x++) into[x] = w[x] * (float) mask.dropoutFactor(base + x);
        return into;
    }

    /**
     * {@code dS = mask(P * (dP - rowsum(dP * P))) * scale} in place of {@code dw (Tq, Tk)}, which holds the gradient
     * of the dropped weights; {@code w} holds P.
     */
    private static void scoreGradient(float[] dw, float[] w, AttentionMask mask, int b, int tq, int tk, float scale) {
        if (mask.dropout()) {
            long base = (long) b * tq * tk;
            for (int x = 0; x < tq * tk; x++) dw[x] *= (float) mask.dropoutFactor(base + x);
        }
        SimdSoftmax.backward(dw, dw, w, tk, 0, tq, false);
        for (int i = 0; i < tq; i++) {
            int row = i * tk;
            Arrays.fill(dw, row, row + mask.windowStart(i, tq, tk), 0f);
            Arrays.fill(dw, row + mask.causalEnd(i, tq, tk), row + tk, 0f);
            if (mask.padded() != null) {
                for (int j = 0; j < tk; j++) {
                    if (mask.masked(b, i, j, tq, tk)) dw[row + j] = 0f;
                }
            }
            SimdSoftmax.scale(dw, row, tk, scale);
        }
    }
}
