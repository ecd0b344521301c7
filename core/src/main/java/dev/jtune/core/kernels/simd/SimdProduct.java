package dev.jtune.core.kernels.simd;

/**
 * The CPU backend's F32 matrix product, {@code out[p] = A[p] @ B[p]} with the operands read as in
 * {@link dev.jtune.core.kernels.ScalarMatmul}: {@link SimdMatvec} for the few rows it is faster on (a token being
 * generated, one query row of attention over a KV cache), {@link SimdMatmul}'s tiles otherwise. Fused kernels that
 * multiply inside (attention) call it too, so they get the bits the composed ops get.
 */
public final class SimdProduct {

    private SimdProduct() {}

    public static void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                              float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        if (SimdMatvec.faster(m, k, aColStride, bRowStride, bColStride)) {
            SimdMatvec.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n, k);
        } else {
            SimdMatmul.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n, k);
        }
    }
}
