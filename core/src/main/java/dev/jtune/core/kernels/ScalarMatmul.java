package dev.jtune.core.kernels;

/**
 * The naive batched matrix product, the definition the fast kernels are tested against.
 *
 * <p>{@code out[p] = A[p] @ B[p]} with {@code out} contiguous {@code [batch, m, n]},
 * {@code A[p][i][l] = a[aOffsets[p] + i * aRowStride + l * aColStride]} ({@code m x k}) and likewise
 * {@code B[p][l][j]} ({@code k x n}); any strides work, so transposed and broadcast (0-stride) operands need no copy.
 * Each output is one sum over {@code l = 0..k-1} in increasing order, single-threaded.
 */
public final class ScalarMatmul {

    private ScalarMatmul() {}

    public static void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                              float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        for (int p = 0; p < aOffsets.length; p++) {
            int o = p * m * n;
            for (int i = 0; i < m; i++) {
                int aRow = aOffsets[p] + i * aRowStride;
                for (int j = 0; j < n; j++) {
                    int bCol = bOffsets[p] + j * bColStride;
                    float sum = 0f;
                    for (int l = 0; l < k; l++) sum += a[aRow + l * aColStride] * b[bCol + l * bRowStride];
                    out[o + i * n + j] = sum;
                }
            }
        }
    }

    public static void matmul(double[] out, double[] a, int[] aOffsets, int aRowStride, int aColStride,
                              double[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        for (int p = 0; p < aOffsets.length; p++) {
            int o = p * m * n;
            for (int i = 0; i < m; i++) {
                int aRow = aOffsets[p] + i * aRowStride;
                for (int j = 0; j < n; j++) {
                    int bCol = bOffsets[p] + j * bColStride;
                    double sum = 0;
                    for (int l = 0; l < k; l++) sum += a[aRow + l * aColStride] * b[bCol + l * bRowStride];
                    out[o + i * n + j] = sum;
                }
            }
        }
    }
}
