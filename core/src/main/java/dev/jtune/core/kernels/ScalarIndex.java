package dev.jtune.core.kernels;

/**
 * Naive gather, scatter and scatter-add along the middle axis of a contiguous {@code [outer, dim, inner]} array
 * (embedding lookup and its backward are the case {@code outer = 1}).
 */
public final class ScalarIndex {

    private ScalarIndex() {}

    /** {@code out[o, j, i] = a[o, index[j], i]}; {@code out: [outer, index.length, inner]}. */
    public static void select(double[] out, double[] a, int[] index, int outer, int dim, int inner) {
        int len = index.length;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < len; j++) {
                System.arraycopy(a, (o * dim + index[j]) * inner, out, (o * len + j) * inner, inner);
            }
        }
    }

    /** {@code out[o, index[j], i] += src[o, j, i]} in increasing {@code j}; {@code src: [outer, index.length, inner]}. */
    public static void add(double[] out, double[] src, int[] index, int outer, int dim, int inner) {
        int len = index.length;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < len; j++) {
                int to = (o * dim + index[j]) * inner, from = (o * len + j) * inner;
                for (int i = 0; i < inner; i++) out[to + i] += src[from + i];
            }
        }
    }

    /**
     * {@code out[o, index[o, i], i] = src[o, i]} for {@code src, index: [outer, inner]} into
     * {@code out: [outer, dim, inner]}; other elements of out are left as they are.
     */
    public static void scatter(double[] out, double[] src, long[] index, int outer, int dim, int inner) {
        for (int p = 0; p < outer * inner; p++) out[scatterPosition(p, index[p], dim, inner)] = src[p];
    }

    /** The float twin of {@link #scatter(double[], double[], long[], int, int, int)}. */
    public static void scatter(float[] out, float[] src, long[] index, int outer, int dim, int inner) {
        for (int p = 0; p < outer * inner; p++) out[scatterPosition(p, index[p], dim, inner)] = src[p];
    }

    /** Where element {@code p} of {@code [outer, inner]} goes in {@code [outer, dim, inner]} at index {@code j}. */
    private static int scatterPosition(int p, long j, int dim, int inner) {
        return (p / inner * dim + (int) j) * inner + p % inner;
    }
}
