package dev.jtune.core.backend;

import dev.jtune.core.DType;
import dev.jtune.core.kernels.ScalarLoss;
import dev.jtune.core.kernels.simd.SimdConvert;

/** A backend whose kernels work on host {@code float[]} arrays: the CPU backends. */
public interface HostBackend extends Backend<float[]> {

    /**
     * {@link #matmul} with B given as half-precision bits ({@code bf16}: bfloat16, else IEEE F16) read at
     * {@code b[bOffsets[p] + l * bRowStride + j * bColStride]}: a frozen half-precision weight. The composition that
     * defines it: all of {@code b} converted to F32 (exactly) in a pooled buffer, then the product; a backend may
     * convert B piece by piece as it reads it, with the same bits.
     */
    default void matmulHalfB(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride, short[] b,
                             boolean bf16, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        float[] converted = (float[]) buffers().take(DType.F32, b.length, false);
        try {
            SimdConvert.halfToF32(converted, b, bf16, b.length);
            matmul(out, a, aOffsets, aRowStride, aColStride, converted, bOffsets, bRowStride, bColStride, m, n, k);
        } finally {
            buffers().give(DType.F32, converted);
        }
    }

    /** The composition that defines {@link Backend#crossEntropy}: the log-probabilities, then the picks. */
    @Override
    default void crossEntropy(float[] losses, float[] logits, int[] target, int ignoreIndex, int rows, int classes) {
        float[] logProbs = new float[rows * classes];  // (rows, classes)
        softmax(logProbs, logits, rows, classes, true);
        nllLoss(losses, logProbs, target, ignoreIndex, rows, classes);
    }

    /** The composition that defines {@link Backend#crossEntropyBackward}. */
    @Override
    default void crossEntropyBackward(float[] grad, float[] g, int gStride, double gScale, int[] target,
                                      int ignoreIndex, int rows, int classes) {
        float[] scale = new float[rows];  // (rows, 1)
        for (int i = 0; i < rows; i++) {
            scale[i] = (float) ScalarLoss.rowScale(g[i * gStride], gScale, target[i], ignoreIndex);
        }
        int[] shape = {rows, classes};
        unary(UnaryOp.EXP, grad, grad, 0, rows * classes);
        binary(BinaryOp.MUL, grad, grad, 0, new int[] {classes, 1}, scale, 0, new int[] {1, 0}, shape);
        ScalarLoss.subtractAtTargets(grad, g, gStride, gScale, target, ignoreIndex, rows, classes);
    }
}
