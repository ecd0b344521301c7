package dev.jtune.core.kernels;

import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.backend.KvLayout;

/**
 * Naive scaled-dot-product attention, forward and backward: the definition the fused SIMD kernel is tested against.
 *
 * <p>Shapes, with {@code N = B * H}: {@code q [N, Tq, hs]}, {@code k [N, Tk, hs]}, {@code v [N, Tk, hsv]},
 * {@code out [N, Tq, hsv]} and the softmax weights {@code p [N, Tq, Tk]} (before dropout). It performs the arithmetic of
 * the composed ops on the reference backend (matmul, mul by the scale, masked_fill with the lowest value, softmax,
 * dropout, matmul, and their backwards), in the same order, so F64 results are identical to theirs. Single-threaded.
 * The F32 entry points widen to double, run the same loops and round each output once, as the reference backend does.
 */
public final class ScalarAttention {

    private ScalarAttention() {}

    /**
     * {@code out = dropout(softmax(mask(q k^T * scale))) v}; stores the softmax weights in {@code p} unless it is null.
     * Query matrix {@code b} reads its keys and values where {@code kv} says.
     */
    public static void forward(double[] out, double[] p, double[] q, double[] k, double[] v, AttentionMask mask,
                               int n, int tq, int tk, int hs, int hsv, KvLayout kv, double scale) {
        double[] w = p != null ? p : new double[tk];  // the weights of one query
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < tq; i++) {
                int row = (b * tq + i) * tk, w0 = p != null ? row : 0;
                softmaxRow(w, w0, q, k, kv.keys(b), mask, b, i, tq, tk, hs, scale);
                for (int c = 0; c < hsv; c++) {
                    double sum = 0;
                    for (int j = 0; j < tk; j++) sum += dropped(w[w0 + j], mask, row + j) * v[kv.values(b) + j * hsv + c];
                    out[(b * tq + i) * hsv + c] = sum;
                }
            }
        }
    }

    /**
     * The input gradients {@code dq, dk, dv} from the output gradient {@code dout [N, Tq, hsv]} and the forward's
     * softmax weights {@code p}: {@code dv = P'^T dout} (P' the dropped weights), {@code dP = dropout(dout v^T)},
     * {@code dS = mask(P * (dP - rowsum(dP * P))) * scale}, {@code dq = dS k}, {@code dk = dS^T q}.
     */
    public static void backward(double[] dq, double[] dk, double[] dv, double[] dout, double[] p, double[] q,
                                double[] k, double[] v, AttentionMask mask, int n, int tq, int tk, int hs, int hsv,
                                double scale) {
        double[] ds = new double[tq * tk];  // (Tq, Tk): dS of one (batch, head)
        for (int b = 0; b < n; b++) {
            int p0 = b * tq * tk;
            for (int j = 0; j < tk; j++) {
                for (int c = 0; c < hsv; c++) {
                    double sum = 0;
                    for (int i = 0; i < tq; i++) {
                        sum += dropped(p[p0 + i * tk + j], mask, p0 + i * tk + j) * dout[(b * tq + i) * hsv + c];
                    }
                    dv[(b * tk + j) * hsv + c] = sum;
                }
            }
            for (int i = 0; i < tq; i++) {
                int row = p0 + i * tk;
                for (int j = 0; j < tk; j++) {
                    double dp = 0;
                    for (int c = 0; c < hsv; c++) dp += dout[(b * tq + i) * hsv + c] * v[(b * tk + j) * hsv + c];
                    ds[i * tk + j] = dropped(dp, mask, row + j);
                }
                double s = 0;
                for (int j = 0; j < tk; j++) s += ds[i * tk + j] * p[row + j];
                for (int j = 0; j < tk; j++) {
                    double g = mask.masked(b, i, j, tq, tk) ? 0 : p[row + j] * (ds[i * tk + j] - s);
                    ds[i * tk + j] = g * scale;
                }
            }
            for (int i = 0; i < tq; i++) {
                for (int l = 0; l < hs; l++) {
                    double sum = 0;
                    for (int j = 0; j < tk; j++) sum += ds[i * tk + j] * k[(b * tk + j) * hs + l];
                    dq[(b * tq + i) * hs + l] = sum;
                }
            }
            for (int j = 0; j < tk; j++) {
                for (int l = 0; l < hs; l++) {
                    double sum = 0;
                    for (int i = 0; i < tq; i++) sum += ds[i * tk + j] * q[(b * tq + i) * hs + l];
                    dk[(b * tk + j) * hs + l] = sum;
                }
            }
        }
    }

    /** F32 {@link #forward(double[], double[], double[], double[], double[], AttentionMask, int, int, int, int, int, KvLayout, double)}, computed in double. */
    public static void forward(float[] out, float[] p, float[] q, float[] k, float[] v, AttentionMask mask,
                               int n, int tq, int tk, int hs, int hsv, KvLayout kv, double scale) {
        double[] o = new double[out.length], w = p == null ? null : new double[p.length];
        forward(o, w, widen(q), widen(k), widen(v), mask, n, tq, tk, hs, hsv, kv, scale);
        round(out, o);
        if (p != null) round(p, w);
    }

    /** F32 {@link #backward(double[], double[], double[], double[], double[], double[], double[], double[], AttentionMask, int, int, int, int, int, double)}, computed in double. */
    public static void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p, float[] q, float[] k,
                                float[] v, AttentionMask mask, int n, int tq, int tk, int hs, int hsv, double scale) {
        double[] gq = new double[dq.length], gk = new double[dk.length], gv = new double[dv.length];
        backward(gq, gk, gv, widen(dout), widen(p), widen(q), widen(k), widen(v), mask, n, tq, tk, hs, hsv, scale);
        round(dq, gq);
        round(dk, gk);
        round(dv, gv);
    }

    /**
     * The softmax weights of query {@code i} of matrix {@code b} into {@code w[w0 .. w0 + tk)}: scores
     * {@code (q_i . k_j) * scale} with the matrix's keys from {@code k[k0 ..]}, masked keys set to the lowest double (so
     * a fully masked row comes out uniform), then softmax with the row maximum subtracted first.
     */
    private static void softmaxRow(double[] w, int w0, double[] q, double[] k, int k0, AttentionMask mask, int b, int i,
                                   int tq, int tk, int hs, double scale) {
        int qi = (b * tq + i) * hs;
        for (int j = 0; j < tk; j++) {
            double s = 0;
            for (int l = 0; l < hs; l++) s += q[qi + l] * k[k0 + j * hs + l];
            w[w0 + j] = mask.masked(b, i, j, tq, tk) ? -Double.MAX_VALUE : s * scale;
        }
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < tk; j++) m = Math.max(m, w[w0 + j]);
        double sum = 0;
        for (int j = 0; j < tk; j++) sum += Math.exp(w[w0 + j] - m);
        for (int j = 0; j < tk; j++) w[w0 + j] = Math.exp(w[w0 + j] - m) / sum;
    }

    /** {@code x} times its dropout factor; unchanged without dropout. */
    private static double dropped(double x, AttentionMask mask, long index) {
        return mask.dropout() ? x * mask.dropoutFactor(index) : x;
    }

    private static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static void round(float[] out, double[] a) {
        for (int i = 0; i < a.length; i++) out[i] = (float) a[i];
    }
}
