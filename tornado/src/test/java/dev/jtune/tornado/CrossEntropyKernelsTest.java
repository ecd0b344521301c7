package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;

/**
 * nll_loss and cross-entropy's backward against the reference backend, with an ignored row, one upstream gradient
 * broadcast to every row (gStride 0, a mean's gScale 1/3) and one per row.
 *
 * <p>Tolerances: nll_loss negates, so it is exact. The backward's exp is the unary kernel's (1 ulp); its product with
 * {@code (float) s} and the subtraction at the target round as the reference's do, but s comes from a two-float gScale
 * (within 2^-48 relative): {@code 2 ulp + 2u e^y |s|}.
 */
class CrossEntropyKernelsTest {

    private static final int IGNORE = -100;

    @Test
    void nllLossIsExact() {
        for (int classes : new int[] {1, 7, 257}) {
            int rows = 4;
            float[] logProbs = TestDevice.values(classes, rows * classes, 2);
            int[] target = {0, classes - 1, IGNORE, classes / 2};
            float[] want = new float[rows];
            REFERENCE.nllLoss(want, logProbs, target, IGNORE, rows, classes);
            int atLogP = TestDevice.put(logProbs), atLoss = ARENA.allocate(rows);
            OPS.nllLoss(atLoss, atLogP, target, IGNORE, rows, classes);
            TestDevice.exact("nll_loss C=" + classes, want, TestDevice.get(atLoss, rows));
            ARENA.free(atLogP);
            ARENA.free(atLoss);
        }
    }

    @Test
    void crossEntropyBackwardMatchesTheReferenceComposition() {
        for (int classes : new int[] {1, 7, 257}) {
            for (int gStride : new int[] {0, 1}) {
                int rows = 5;
                float[] logProbs = new float[rows * classes];
                REFERENCE.softmax(logProbs, TestDevice.values(classes, rows * classes, 3), rows, classes, true);
                float[] g = TestDevice.values(classes + 1, rows, 1);
                int[] target = {0, classes - 1, IGNORE, classes / 2, 0};
                double gScale = gStride == 0 ? 1.0 / 3 : 1;
                float[] want = logProbs.clone();
                REFERENCE.crossEntropyBackward(want, g, gStride, gScale, target, IGNORE, rows, classes);
                double[] tol = new double[want.length];
                for (int e = 0; e < tol.length; e++) {
                    double s = g[e / classes * gStride] * gScale;
                    tol[e] = 2 * Math.ulp(want[e]) + 2 * U * Math.exp(logProbs[e]) * Math.abs(s);
                }
                int atGrad = TestDevice.put(logProbs), atG = TestDevice.put(g);
                OPS.crossEntropyBackward(atGrad, atG, gStride, gScale, target, IGNORE, rows, classes);
                String what = "cross_entropy backward C=" + classes + " gStride=" + gStride;
                TestDevice.within(what, want, TestDevice.get(atGrad, want.length), tol);
                ARENA.free(atGrad);
                ARENA.free(atG);
            }
        }
    }
}
