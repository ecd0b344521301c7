package dev.jtune.core.backend;

import dev.jtune.core.kernels.ScalarLoss;

/** A backend whose kernels work on host {@code float[]} arrays: the CPU backends. */
public interface HostBackend extends Backend<float[]> {

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
