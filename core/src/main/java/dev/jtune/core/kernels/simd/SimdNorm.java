package dev.jtune.core.kernels.simd;

/**
 * Layer norm and RMS norm fused row by row, for rows of contiguous {@code x: [rows, cols]}: a row's statistics,
 * normalization and affine steps run while the row (3 KiB for GPT-2 124M) is in L1, in one parallel loop, where the
 * composition runs about nine loops over the whole tensor. Every step is the composition's
 * ({@code Backend.layerNorm}): the same row sums ({@link SimdReduce#sum}, as the backend's reduce), and each
 * elementwise step rounded to float on its own ({@link SimdBinary}), so fusing changes no bit.
 */
public final class SimdNorm {

    private SimdNorm() {}

    /** Rows {@code [from, to)} of {@code Backend.layerNorm}; weight and bias may be null. */
    public static void layerNorm(float[] out, float[] mean, float[] rstd, float[] x, float[] weight, float[] bias,
                                 int cols, float eps, int from, int to) {
        float[] squares = new float[cols];
        for (int r = from; r < to; r++) {
            int o = r * cols;
            mean[r] = SimdReduce.sum(x, o, cols) / cols;
            SimdBinary.sub(out, o, x, o, 1, mean, r, 0, cols);                  // x - mean
            SimdBinary.mul(squares, 0, out, o, 1, out, o, 1, cols);
            rstd[r] = reciprocalRootOfMean(SimdReduce.sum(squares, 0, cols), cols, eps);
            SimdBinary.mul(out, o, out, o, 1, rstd, r, 0, cols);
            affine(out, o, weight, bias, cols);
        }
    }

    /** Rows {@code [from, to)} of {@code Backend.rmsNorm}; weight may be null. */
    public static void rmsNorm(float[] out, float[] rstd, float[] x, float[] weight, int cols, float eps, int from,
                               int to) {
        float[] squares = new float[cols];
        for (int r = from; r < to; r++) {
            int o = r * cols;
            SimdBinary.mul(squares, 0, x, o, 1, x, o, 1, cols);
            rstd[r] = reciprocalRootOfMean(SimdReduce.sum(squares, 0, cols), cols, eps);
            SimdBinary.mul(out, o, x, o, 1, rstd, r, 0, cols);
            affine(out, o, weight, null, cols);
        }
    }

    /** {@code 1 / sqrt(sum / cols + eps)}: a float division and addition, then RSQRT (in double, rounded once). */
    private static float reciprocalRootOfMean(float sum, int cols, float eps) {
        float shifted = sum / cols + eps;
        return (float) (1 / Math.sqrt(shifted));
    }

    /** {@code out[o + c] = out[o + c] * weight[c] + bias[c]}, each step skipped when its parameter is null. */
    private static void affine(float[] out, int o, float[] weight, float[] bias, int cols) {
        if (weight != null) SimdBinary.mul(out, o, out, o, 1, weight, 0, 1, cols);
        if (bias != null) SimdBinary.add(out, o, out, o, 1, bias, 0, 1, cols);
    }
}
