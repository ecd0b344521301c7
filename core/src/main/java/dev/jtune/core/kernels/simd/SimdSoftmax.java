package dev.jtune.core.kernels.simd;

import dev.jtune.core.kernels.ScalarLoss;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized row-wise softmax and log-softmax of a contiguous float {@code [rows, cols]} array and their backward, over
 * the rows {@code [from, to)}; the same function as {@code ScalarSoftmax} (max subtracted first, so a row of all -inf
 * becomes NaN). A row is always computed whole by one call, in a fixed order, so results never depend on threads.
 */
public final class SimdSoftmax {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private SimdSoftmax() {}

    /** {@code out[r, :] = softmax(a[r, :])} (or log-softmax) for {@code from <= r < to}; out may be a. */
    public static void forward(float[] out, float[] a, int cols, int from, int to, boolean log) {
        for (int row = from; row < to; row++) {
            int base = row * cols;
            float m = SimdReduce.max(a, base, cols);
            float sum = log ? sumExp(a, base, cols, m) : storeExp(out, a, base, cols, m);
            if (log) {
                shift(out, a, base, cols, m, (float) Math.log(sum));
            } else {
                scale(out, base, cols, 1f / sum);
            }
        }
    }

    /**
     * Cross-entropy's per-row loss over rows {@code [from, to)} of {@code a: [rows, classes]}:
     * {@code losses[r] = -log_softmax(a[r])[target[r]]}, 0 at an ignored row. The same bits as {@link #forward} (log)
     * then the pick ({@code ScalarLoss.nll}): the same maximum, sum and {@code (a[t] - m) - logSum}, for the target
     * only, so the {@code [rows, classes]} log-probabilities are never written.
     */
    public static void crossEntropy(float[] losses, float[] a, int[] target, int ignoreIndex, int classes, int from,
                                    int to) {
        for (int row = from; row < to; row++) {
            if (target[row] == ignoreIndex) {
                losses[row] = 0;
                continue;
            }
            int base = row * classes;
            float m = SimdReduce.max(a, base, classes);
            float logSum = (float) Math.log(sumExp(a, base, classes, m));
            losses[row] = -(a[base + target[row]] - m - logSum);
        }
    }

    /**
     * The input gradient for rows {@code [from, to)} from the output {@code y} and its gradient {@code g}: softmax
     * {@code y * (g - sum(g * y))}, log-softmax {@code g - exp(y) * sum(g)}. gradIn may be g.
     */
    public static void backward(float[] gradIn, float[] g, float[] y, int cols, int from, int to, boolean log) {
        for (int row = from; row < to; row++) {
            int base = row * cols;
            if (log) {
                logBackwardRow(gradIn, g, y, base, cols, SimdReduce.sum(g, base, cols));
            } else {
                backwardRow(gradIn, g, y, base, cols, dot(g, y, base, cols));
            }
        }
    }

    /**
     * Cross-entropy's backward over rows {@code [from, to)} of {@code grad [rows, classes]}, which holds the
     * log-probabilities, in one pass per row: {@code grad = exp(grad) * (float) s_i}, then {@code s_i} subtracted at
     * the target in double, rounded once, {@code s_i = ScalarLoss.rowScale(g[i * gStride], gScale, ...)}. The same bits
     * as the composition that defines it ({@code HostBackend}: an exp pass, a product pass, the subtraction), with one
     * pass over the {@code [rows, classes]} array instead of two.
     */
    public static void crossEntropyBackward(float[] grad, float[] g, int gStride, double gScale, int[] target,
                                            int ignoreIndex, int classes, int from, int to) {
        int bound = SimdMath.loopBound(classes);
        for (int row = from; row < to; row++) {
            double s = ScalarLoss.rowScale(g[row * gStride], gScale, target[row], ignoreIndex);
            float scale = (float) s;
            int base = row * classes;
            for (int j = 0; j < bound; j += L) {
                SimdMath.exp(FloatVector.fromArray(F, grad, base + j)).mul(scale).intoArray(grad, base + j);
            }
            for (int j = bound; j < classes; j++) grad[base + j] = SimdMath.exp(grad[base + j]) * scale;
            if (target[row] != ignoreIndex) grad[base + target[row]] = (float) (grad[base + target[row]] - s);
        }
    }

    /** {@code sum_j exp(a[j] - m)} over one row, storing each term in out. */
    private static float storeExp(float[] out, float[] a, int base, int cols, float m) {
        int bound = SimdMath.loopBound(cols);
        float s = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < bound; j += L) {
                FloatVector e = SimdMath.exp(FloatVector.fromArray(F, a, base + j).sub(m));
                e.intoArray(out, base + j);
                acc = acc.add(e);
            }
            float[] lanes = new float[L];
            acc.intoArray(lanes, 0);
            s = SimdReduce.addLanes(lanes);
        }
        for (int j = bound; j < cols; j++) {
            float e = SimdMath.exp(a[base + j] - m);
            out[base + j] = e;
            s += e;
        }
        return s;
    }

    /** {@code sum_j exp(a[j] - m)} over one row, storing nothing (log-softmax may write over its input). */
    private static float sumExp(float[] a, int base, int cols, float m) {
        int bound = SimdMath.loopBound(cols);
        float s = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < bound; j += L) acc = acc.add(SimdMath.exp(FloatVector.fromArray(F, a, base + j).sub(m)));
            float[] lanes = new float[L];
            acc.intoArray(lanes, 0);
            s = SimdReduce.addLanes(lanes);
        }
        for (int j = bound; j < cols; j++) s += SimdMath.exp(a[base + j] - m);
        return s;
    }

    /** {@code out[j] = (a[j] - m) - logSum} over one row (not {@code a[j] - (m + logSum)}, which rounds m + logSum). */
    private static void shift(float[] out, float[] a, int base, int cols, float m, float logSum) {
        int bound = SimdMath.loopBound(cols);
        for (int j = 0; j < bound; j += L) {
            FloatVector.fromArray(F, a, base + j).sub(m).sub(logSum).intoArray(out, base + j);
        }
        for (int j = bound; j < cols; j++) out[base + j] = a[base + j] - m - logSum;
    }

    /** {@code out[j] *= c} over one row. */
    static void scale(float[] out, int base, int cols, float c) {
        int bound = SimdMath.loopBound(cols);
        for (int j = 0; j < bound; j += L) FloatVector.fromArray(F, out, base + j).mul(c).intoArray(out, base + j);
        for (int j = bound; j < cols; j++) out[base + j] *= c;
    }

    /** {@code sum_j g[j] * y[j]} over one row: per-lane FMA chains combined in lane order, then the tail. */
    private static float dot(float[] g, float[] y, int base, int cols) {
        int bound = SimdMath.loopBound(cols);
        float s = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < bound; j += L) {
                acc = FloatVector.fromArray(F, g, base + j).fma(FloatVector.fromArray(F, y, base + j), acc);
            }
            float[] lanes = new float[L];
            acc.intoArray(lanes, 0);
            s = SimdReduce.addLanes(lanes);
        }
        for (int j = bound; j < cols; j++) s = Math.fma(g[base + j], y[base + j], s);
        return s;
    }

    /** {@code gradIn = y * (g - s)} over one row. */
    private static void backwardRow(float[] gradIn, float[] g, float[] y, int base, int cols, float s) {
        int bound = SimdMath.loopBound(cols);
        for (int j = 0; j < bound; j += L) {
            FloatVector gv = FloatVector.fromArray(F, g, base + j);
            FloatVector.fromArray(F, y, base + j).mul(gv.sub(s)).intoArray(gradIn, base + j);
        }
        for (int j = bound; j < cols; j++) gradIn[base + j] = y[base + j] * (g[base + j] - s);
    }

    /** {@code gradIn = g - exp(y) * s} over one row. */
    private static void logBackwardRow(float[] gradIn, float[] g, float[] y, int base, int cols, float s) {
        int bound = SimdMath.loopBound(cols);
        for (int j = 0; j < bound; j += L) {
            FloatVector e = SimdMath.exp(FloatVector.fromArray(F, y, base + j));
            FloatVector.fromArray(F, g, base + j).sub(e.mul(s)).intoArray(gradIn, base + j);
        }
        for (int j = bound; j < cols; j++) gradIn[base + j] = g[base + j] - SimdMath.exp(y[base + j]) * s;
    }
}
