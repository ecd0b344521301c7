package dev.jtune.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** {@link ScalarMatmul}, the definition the fast kernels are tested against, on products worked out by hand. */
class ScalarMatmulTest {

    // A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]: A @ B = [[58, 64], [139, 154]]
    private static final float[] A = {1, 2, 3, 4, 5, 6};
    private static final float[] B = {7, 8, 9, 10, 11, 12};
    private static final float[] AB = {58, 64, 139, 154};

    @Test
    void rowMajorProductMatchesHandComputation() {
        float[] out = new float[4];
        ScalarMatmul.matmul(out, A, new int[] {0}, 3, 1, B, new int[] {0}, 2, 1, 2, 2, 3);
        assertArrayEquals(AB, out);
    }

    @Test
    void transposedStoragesGiveTheSameProduct() {
        float[] at = {1, 4, 2, 5, 3, 6};        // A stored column-major: A[i][l] = at[l * 2 + i]
        float[] bt = {7, 9, 11, 8, 10, 12};     // B stored column-major: B[l][j] = bt[j * 3 + l]
        float[] out = new float[4];
        ScalarMatmul.matmul(out, at, new int[] {0}, 1, 2, bt, new int[] {0}, 1, 3, 2, 2, 3);
        assertArrayEquals(AB, out);
    }

    @Test
    void batchOffsetsSelectEachMatrixAndZeroStridesBroadcast() {
        float[] a = {0, 1, 2, 3, 4, 5, 6};      // batch 0 at offset 1 (= A), batch 1 at offset 0 (A shifted by one)
        float[] out = new float[8];
        ScalarMatmul.matmul(out, a, new int[] {1, 0}, 3, 1, B, new int[] {0, 0}, 2, 1, 2, 2, 3);
        assertArrayEquals(new float[] {58, 64, 139, 154, 31, 34, 112, 124}, out);
        float[] ones = new float[4];            // a 0-stride A of ones: every output row holds B's column sums
        ScalarMatmul.matmul(ones, new float[] {1}, new int[] {0}, 0, 0, B, new int[] {0}, 2, 1, 2, 2, 3);
        assertArrayEquals(new float[] {27, 30, 27, 30}, ones);
    }

    @Test
    void doubleOverloadComputesTheSameProduct() {
        double[] a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12}, out = new double[4];
        ScalarMatmul.matmul(out, a, new int[] {0}, 3, 1, b, new int[] {0}, 2, 1, 2, 2, 3);
        assertArrayEquals(new double[] {58, 64, 139, 154}, out);
    }
}
