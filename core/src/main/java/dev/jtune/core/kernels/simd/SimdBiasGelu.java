package dev.jtune.core.kernels.simd;

/**
 * GELU of a biased input, fused for GPT-2's MLP (c_fc's output plus its bias, then gelu_new), over contiguous
 * {@code x: [rows, cols]} and {@code bias: [cols]}, a row at a time so the biased row is still in L1 when the
 * activation reads it. Every element is computed exactly as the unfused {@code x + bias} followed by
 * {@link SimdUnary#geluTanh} (or {@link SimdUnary#gelu}), so fusing changes no bit.
 */
public final class SimdBiasGelu {

    private SimdBiasGelu() {}

    /** {@code out[r, c] = gelu(x[r, c] + bias[c])} for rows {@code [rowFrom, rowTo)}. */
    public static void forward(float[] out, float[] x, float[] bias, int cols, int rowFrom, int rowTo, boolean tanh) {
        rows(out, x, bias, null, cols, rowFrom, rowTo, tanh ? SimdActivations.GELU_TANH : SimdActivations.GELU);
    }

    /**
     * {@code dx[r, c] = g[r, c] * gelu'(x[r, c] + bias[c])} for rows {@code [rowFrom, rowTo)}; the bias gradient is
     * then the column sums of dx.
     */
    public static void backward(float[] dx, float[] g, float[] x, float[] bias, int cols, int rowFrom, int rowTo,
                                boolean tanh) {
        rows(dx, x, bias, g, cols, rowFrom, rowTo, tanh ? SimdActivations.GELU_TANH_GRAD : SimdActivations.GELU_GRAD);
    }

    /** {@code out = f(x + bias)}, times g when g is not null, row by row. */
    private static void rows(float[] out, float[] x, float[] bias, float[] g, int cols, int rowFrom, int rowTo,
                             SimdActivations f) {
        float[][] scratch = SimdActivations.scratch(cols);
        for (int r = rowFrom; r < rowTo; r++) {
            int o = r * cols;
            SimdBinary.add(out, o, x, o, 1, bias, 0, 1, cols);
            f.apply(out, out, 0, o, o + cols, scratch);
            if (g != null) SimdBinary.mul(out, o, out, o, 1, g, o, 1, cols);
        }
    }
}
