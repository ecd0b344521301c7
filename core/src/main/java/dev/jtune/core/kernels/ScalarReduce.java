package dev.jtune.core.kernels;

/**
 * Naive reductions along the middle axis of a contiguous {@code a: [outer, r, inner]} into {@code out: [outer, inner]},
 * each output accumulated in increasing {@code j}.
 */
public final class ScalarReduce {

    private ScalarReduce() {}

    /** {@code out[o, i] = sum_j a[o, j, i]}; 0 when {@code r == 0}. */
    public static void sum(double[] out, double[] a, int outer, int r, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double s = 0;
                for (int j = 0; j < r; j++) s += a[(o * r + j) * inner + i];
                out[o * inner + i] = s;
            }
        }
    }

    /** {@code out[o, i] = max_j a[o, j, i]} with {@link Math#max} (NaN wins, -0.0 &lt; 0.0); -inf when {@code r == 0}. */
    public static void max(double[] out, double[] a, int outer, int r, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < r; j++) m = Math.max(m, a[(o * r + j) * inner + i]);
                out[o * inner + i] = m;
            }
        }
    }

    /** {@code out[o, i] = } the first {@code j} maximizing {@code a[o, j, i]}, the first NaN if any; needs r &ge; 1. */
    public static void argmax(long[] out, double[] a, int outer, int r, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * r * inner + i;
                int best = 0;
                double bestValue = a[base];
                for (int j = 1; j < r && bestValue == bestValue; j++) {
                    double v = a[base + j * inner];
                    if (v > bestValue || v != v) {
                        best = j;
                        bestValue = v;
                    }
                }
                out[o * inner + i] = best;
            }
        }
    }

    /** The float twin of {@link #argmax(long[], double[], int, int, int)} (comparisons are exact in either type). */
    public static void argmax(long[] out, float[] a, int outer, int r, int inner) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * r * inner + i;
                int best = 0;
                float bestValue = a[base];
                for (int j = 1; j < r && bestValue == bestValue; j++) {
                    float v = a[base + j * inner];
                    if (v > bestValue || v != v) {
                        best = j;
                        bestValue = v;
                    }
                }
                out[o * inner + i] = best;
            }
        }
    }
}
