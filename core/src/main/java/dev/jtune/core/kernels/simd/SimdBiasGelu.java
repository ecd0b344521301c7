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
        SimdActivations gelu = tanh ? SimdActivations.GELU_TANH : SimdActivations.GELU;
        float[][] scratch = SimdActivations.scratch(cols);
        for (int r = rowFrom; r < rowTo; r++) {
            int o = r * cols;
            SimdBinary.add(out, o, x, o, 1, bias, 0, 1, cols);
            gelu.apply(out, out, 0, o, o + cols, scratch);
        }
    }

    /**
     * {@code dx[r, c] = g[r, c] * gelu'(x[r, c] + bias[c])} for rows {@code [rowFrom, rowTo)}; the bias gradient is
     * then the column sums of dx.
     */
    public static void backward(float[] dx, float[] g, float[] x, float[] bias, int cols, int rowFrom, int rowTo,
                                boolean tanh) {
        SimdActivations geluGrad = tanh ? SimdActivations.GELU_TANH_GRAD : SimdActivations.GELU_GRAD;
        float[][] scratch = SimdActivations.scratch(cols);
        for (int r = rowFrom; r < rowTo; r++) {
            int o = r * cols;
            SimdBinary.add(dx, o, x, o, 1, bias, 0, 1, cols);
            geluGrad.apply(dx, dx, 0, o, o + cols, scratch);
            SimdBinary.mul(dx, o, dx, o, 1, g, o, 1, cols);
        }
    }
}
