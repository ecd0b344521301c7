package dev.jtune.core.kernels;

/**
 * Naive reductions along the middle axis of a contiguous {@code a: [outer, r, inner]} into {@code out: [outer, inner]},
 * each output accumulated in increasing {@code j}; and the blocked sum of squares of a flat array (a gradient's norm).
 */
public final class ScalarReduce {

    /**
     * Elements per block of a sum of squares: blocks are summed independently (in parallel, or a work-group each on a
     * device) and their sums then added in block order, so the result does not depend on how the work is split.
     */
    public static final int SQUARES_BLOCK = 1 << 14;

    private ScalarReduce() {}

    /** The number of {@link #SQUARES_BLOCK} blocks that cover {@code n} elements. */
    public static int squaresBlocks(int n) {
        return Math.ceilDiv(n, SQUARES_BLOCK);
    }

    /**
     * Partial sums within a block of a sum of squares: element {@code i} of a block starting at {@code start} goes to
     * partial {@code (i - start) % SQUARES_LANES}, each partial summed in increasing i, and the partials are then added
     * by {@link #addSquaresLanes}. Eight partials are what one AVX-512 vector of doubles holds (two AVX2 vectors), so
     * the vector twin ({@code SimdReduce.sumOfSquares}) gives these very bits on either CPU.
     */
    public static final int SQUARES_LANES = 8;

    /**
     * {@code sum a[i]^2} over the first {@code n} elements in double: each block's sum ({@link #sumOfSquares(double[],
     * int, int)}) added to the total in increasing block order; 0 when {@code n == 0}.
     */
    public static double sumOfSquares(double[] a, int n) {
        double sum = 0;
        for (int b = 0; b < squaresBlocks(n); b++) sum += sumOfSquares(a, n, b);
        return sum;
    }

    /** {@code sum a[i]^2} over block {@code b} of the first {@code n} elements, in {@link #SQUARES_LANES} partials. */
    public static double sumOfSquares(double[] a, int n, int b) {
        double[] partial = new double[SQUARES_LANES];
        int start = b * SQUARES_BLOCK;
        for (int i = start, end = Math.min(n, start + SQUARES_BLOCK); i < end; i++) {
            partial[(i - start) % SQUARES_LANES] += a[i] * a[i];
        }
        return addSquaresLanes(partial);
    }

    /**
     * The float twin of {@link #sumOfSquares(double[], int, int)}, bit for bit: the square of a float is exact in
     * double (48 significant bits, and no overflow or underflow), so widening first changes nothing.
     */
    public static double sumOfSquares(float[] a, int n, int b) {
        double[] partial = new double[SQUARES_LANES];
        int start = b * SQUARES_BLOCK;
        for (int i = start, end = Math.min(n, start + SQUARES_BLOCK); i < end; i++) {
            partial[(i - start) % SQUARES_LANES] += (double) a[i] * a[i];
        }
        return addSquaresLanes(partial);
    }

    /**
     * A block's {@link #SQUARES_LANES} partial sums added pairwise:
     * {@code ((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7))}.
     */
    public static double addSquaresLanes(double[] p) {
        return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
    }

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
