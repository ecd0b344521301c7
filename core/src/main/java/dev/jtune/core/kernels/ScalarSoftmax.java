package dev.jtune.core.kernels;

/**
 * Naive row-wise softmax and log-softmax over a contiguous {@code [rows, cols]} array, and their backward.
 *
 * <p>Numerically stable: the row maximum {@code m} is subtracted before exponentiating. The usual IEEE rules then give
 * PyTorch's results at the edges: a row of all -inf (or holding +inf or NaN) becomes all NaN.
 */
public final class ScalarSoftmax {

    private ScalarSoftmax() {}

    /** {@code out[r, :] = softmax(a[r, :])}, or {@code log_softmax} when {@code log}; out may be a. */
    public static void forward(double[] out, double[] a, int rows, int cols, boolean log) {
        for (int row = 0; row < rows; row++) {
            int base = row * cols;
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) m = Math.max(m, a[base + j]);
            double sum = 0;
            for (int j = 0; j < cols; j++) sum += Math.exp(a[base + j] - m);
            if (log) {
                double logSum = Math.log(sum);
                for (int j = 0; j < cols; j++) out[base + j] = a[base + j] - m - logSum;
            } else {
                for (int j = 0; j < cols; j++) out[base + j] = Math.exp(a[base + j] - m) / sum;
            }
        }
    }

    /**
     * The input gradient from the output {@code y} and output gradient {@code g}: softmax
     * {@code y * (g - sum(g * y))}, log-softmax {@code g - exp(y) * sum(g)}.
     */
    public static void backward(double[] gradIn, double[] g, double[] y, int rows, int cols, boolean log) {
        for (int row = 0; row < rows; row++) {
            int base = row * cols;
            double s = 0;
            for (int j = 0; j < cols; j++) s += log ? g[base + j] : g[base + j] * y[base + j];
            for (int j = 0; j < cols; j++) {
                int k = base + j;
                gradIn[k] = log ? g[k] - Math.exp(y[k]) * s : y[k] * (g[k] - s);
            }
        }
    }
}
