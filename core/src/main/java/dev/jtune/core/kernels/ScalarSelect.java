package dev.jtune.core.kernels;

/**
 * Elementwise selection over contiguous arrays, for the flat indices {@code [from, to)}: where (a condition picks a or
 * b) and triu/tril (an element's position in its matrix keeps it or gives 0). Selection does no arithmetic, so the
 * float and double kernels compute the same function exactly.
 */
public final class ScalarSelect {

    private ScalarSelect() {}

    /** {@code out[i] = condition[i] != 0 ? a[i] : b[i]}. */
    public static void where(double[] out, double[] condition, double[] a, double[] b, int from, int to) {
        for (int i = from; i < to; i++) out[i] = condition[i] != 0 ? a[i] : b[i];
    }

    /** The float twin of {@link #where(double[], double[], double[], double[], int, int)}. */
    public static void where(float[] out, float[] condition, float[] a, float[] b, int from, int to) {
        for (int i = from; i < to; i++) out[i] = condition[i] != 0 ? a[i] : b[i];
    }

    /** {@code out[i] = a[i]} where element i of {@code [..., rows, cols]} lies in the kept triangle, else 0. */
    public static void triangle(double[] out, double[] a, int rows, int cols, int diagonal, boolean upper, int from,
                                int to) {
        for (int i = from; i < to; i++) out[i] = inTriangle(i, rows, cols, diagonal, upper) ? a[i] : 0;
    }

    /** The float twin of {@link #triangle(double[], double[], int, int, int, boolean, int, int)}. */
    public static void triangle(float[] out, float[] a, int rows, int cols, int diagonal, boolean upper, int from,
                                int to) {
        for (int i = from; i < to; i++) out[i] = inTriangle(i, rows, cols, diagonal, upper) ? a[i] : 0;
    }

    /** Whether flat index i of {@code [..., rows, cols]} has {@code col - row >= diagonal} (upper) or {@code <=}. */
    private static boolean inTriangle(int i, int rows, int cols, int diagonal, boolean upper) {
        int c = i % cols, r = i / cols % rows;
        return upper ? c - r >= diagonal : c - r <= diagonal;
    }
}
