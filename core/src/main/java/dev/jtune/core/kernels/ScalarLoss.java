package dev.jtune.core.kernels;

/**
 * Naive cross-entropy pieces over the log-probabilities {@code logProbs: [rows, classes]} of a log-softmax and the
 * integer targets {@code target: [rows]}; a row whose target is {@code ignoreIndex} contributes nothing.
 */
public final class ScalarLoss {

    private ScalarLoss() {}

    /** {@code losses[i] = -logProbs[i, target[i]]}, 0 at an ignored row (nll_loss without reduction). */
    public static void nll(double[] losses, double[] logProbs, int[] target, int ignoreIndex, int rows, int classes) {
        for (int i = 0; i < rows; i++) losses[i] = target[i] == ignoreIndex ? 0 : -logProbs[i * classes + target[i]];
    }

    /** The float twin of {@link #nll(double[], double[], int[], int, int, int)} (negation is exact in either type). */
    public static void nll(float[] losses, float[] logProbs, int[] target, int ignoreIndex, int rows, int classes) {
        for (int i = 0; i < rows; i++) losses[i] = target[i] == ignoreIndex ? 0 : -logProbs[i * classes + target[i]];
    }

    /** A row's loss gradient {@code d loss / d loss_i}: its upstream gradient times {@code gScale}, 0 if ignored. */
    public static double rowScale(double g, double gScale, int target, int ignoreIndex) {
        return target == ignoreIndex ? 0 : g * gScale;
    }

    /**
     * The backward in place over {@code grad}, which holds the log-probabilities:
     * {@code grad[i, j] = exp(grad[i, j]) * s_i}, then {@code s_i} subtracted at the target, with
     * {@code s_i = rowScale(g[i * gStride], gScale, ...)}.
     */
    public static void crossEntropyBackward(double[] grad, double[] g, int gStride, double gScale, int[] target,
                                            int ignoreIndex, int rows, int classes) {
        for (int i = 0; i < rows; i++) {
            double s = rowScale(g[i * gStride], gScale, target[i], ignoreIndex);
            for (int j = i * classes; j < (i + 1) * classes; j++) grad[j] = Math.exp(grad[j]) * s;
            if (target[i] != ignoreIndex) grad[i * classes + target[i]] -= s;
        }
    }

    /**
     * The last step of the F32 backward: {@code grad[i, target[i]] -= s_i} in double, rounded once, at each row that
     * is not ignored.
     */
    public static void subtractAtTargets(float[] grad, float[] g, int gStride, double gScale, int[] target,
                                         int ignoreIndex, int rows, int classes) {
        for (int i = 0; i < rows; i++) {
            if (target[i] == ignoreIndex) continue;
            int at = i * classes + target[i];
            grad[at] = (float) (grad[at] - rowScale(g[i * gStride], gScale, target[i], ignoreIndex));
        }
    }
}
