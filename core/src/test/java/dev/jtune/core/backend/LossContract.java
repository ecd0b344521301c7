package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cross-entropy part of the backend contract, over log-probabilities of rows around the vector length (a masked
 * class among them) with some targets ignored: the per-row loss is {@link ReferenceBackend}'s to the bit (a gather and
 * a negation), the loss straight from the logits is the backend's own log-softmax and pick to the bit, and the
 * backward is within the exp's few ulp, for one upstream gradient per row and one for all.
 */
public interface LossContract extends ContractTarget {

    int IGNORE_INDEX = -100;

    /** Log-probabilities {@code [rows, classes]}: a log-softmax of scaled logits, class 0 of row 1 masked (-inf). */
    private static float[] logProbs(Random rnd, int rows, int classes) {
        double[] logits = values(rnd, rows * classes, 5, false);
        if (rows > 1 && classes > 1) logits[classes] = Double.NEGATIVE_INFINITY;
        double[] lp = new double[rows * classes];
        F64Kernels.softmax(lp, logits, rows, classes, true);
        return toFloat(lp);
    }

    /** Targets in {@code [0, classes)}, every third row ignored (all of them when there are no classes). */
    private static int[] targets(Random rnd, int rows, int classes) {
        int[] t = new int[rows];
        for (int i = 0; i < rows; i++) t[i] = classes == 0 || i % 3 == 1 ? IGNORE_INDEX : rnd.nextInt(classes);
        return t;
    }

    @Test
    default void nllLossPicksTheNegatedLogProbabilityOfEachTargetExactly() {
        Random rnd = new Random(14);
        for (int rows : new int[] {0, 1, 3, 17}) {
            for (int classes : SIZES) {
                float[] lp = logProbs(rnd, rows, classes);
                int[] target = targets(rnd, rows, classes);
                float[] want = new float[rows], got = new float[rows];
                REFERENCE.nllLoss(want, lp, target, IGNORE_INDEX, rows, classes);
                backend().nllLoss(got, lp, target, IGNORE_INDEX, rows, classes);
                Compare.exact(backend().name() + " nll_loss [" + rows + "," + classes + "]", want, got);
            }
        }
    }

    @Test
    default void crossEntropyFromLogitsIsThisBackendsLogSoftmaxThenNllLossToTheBit() {
        Random rnd = new Random(16);
        for (int rows : new int[] {0, 1, 3, 17}) {
            for (int classes : SIZES) {
                float[] logits = toFloat(values(rnd, rows * classes, 5, false));
                if (rows > 1 && classes > 1) logits[classes] = Float.NEGATIVE_INFINITY;  // a masked class
                int[] target = targets(rnd, rows, classes);
                float[] logProbs = new float[rows * classes], want = new float[rows], got = new float[rows];
                backend().softmax(logProbs, logits, rows, classes, true);
                backend().nllLoss(want, logProbs, target, IGNORE_INDEX, rows, classes);
                backend().crossEntropy(got, logits, target, IGNORE_INDEX, rows, classes);
                Compare.exact(backend().name() + " cross_entropy [" + rows + "," + classes + "]", want, got);
            }
        }
    }

    @Test
    default void crossEntropyBackwardMatchesTheReferenceForPerRowAndBroadcastGradients() {
        Random rnd = new Random(15);
        for (int rows : new int[] {0, 1, 3, 17}) {
            for (int classes : SIZES) {
                for (int gStride : new int[] {0, 1}) {
                    float[] lp = logProbs(rnd, rows, classes);
                    int[] target = targets(rnd, rows, classes);
                    float[] g = toFloat(values(rnd, Math.max(1, rows * gStride), 2, false));
                    double gScale = gStride == 0 ? 1.0 / 3 : 1;  // a mean over 3 rows, or none
                    float[] want = lp.clone(), got = lp.clone();
                    REFERENCE.crossEntropyBackward(want, g, gStride, gScale, target, IGNORE_INDEX, rows, classes);
                    backend().crossEntropyBackward(got, g, gStride, gScale, target, IGNORE_INDEX, rows, classes);
                    // The exp's few ulp (as for the unary ops) and the product's rounding scale with p * s; the
                    // subtraction at the target rounds once more.
                    double[] tol = new double[rows * classes];
                    for (int k = 0; k < tol.length; k++) {
                        double s = target[k / classes] == IGNORE_INDEX ? 0 : g[k / classes * gStride] * gScale;
                        tol[k] = (8 * U + U) * Math.abs(Math.exp(lp[k]) * s) + U * Math.abs(want[k]);
                    }
                    assertWithin(backend().name() + " cross_entropy backward [" + rows + "," + classes + "] gStride "
                            + gStride, want, got, tol);
                }
            }
        }
    }
}
