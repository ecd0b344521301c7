package dev.jtune.tornado;

import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.ops.Losses;
import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.U;

/**
 * The device's cross-entropy pieces against core's fused op on the reference backend (per-row losses, reduction NONE,
 * and its gradient for a seeded output gradient), with an ignored row and a row whose target is its largest logit.
 *
 * <p>Tolerances: a loss is a log-softmax value (see SoftmaxKernelsTest: {@code (d + 3|log S| + T + 2 + 2|y|) u},
 * bounded here by {@code (|y| + max d + T + 12) u}); a gradient {@code e^y s - [target] s} adds exp's 3 ulp, the
 * product's and the difference's roundings to the log-probability's error carried through exp: {@code |s| (e^y (err(y)
 * + 5u) + u)}.
 */
class CrossEntropyKernelsTest {

    @Test
    void lossesAndGradientMatchCoreFusedCrossEntropy() {
        int ignore = -100;
        for (int classes : new int[] {1, 7, 257}) {
            int rows = 5;
            float[] logits = TestDevice.values(classes, rows * classes, 3);
            int[] targets = {0, classes - 1, ignore, classes / 2, 0};
            logits[4 * classes] = 50; // row 4's target is its largest logit
            float[] gOut = TestDevice.values(classes + 1, rows, 1);

            float[] wantLoss, wantGrad;
            Backend previous = Backends.use(TestDevice.REFERENCE);
            try {
                Tensor x = Tensor.of(logits, rows, classes).requiresGrad(true);
                long[] t = new long[rows];
                for (int i = 0; i < rows; i++) t[i] = targets[i];
                Tensor losses = Losses.crossEntropy(x, Tensor.ofLongs(t, rows), ignore, Losses.Reduction.NONE);
                losses.backward(Tensor.of(gOut, rows));
                wantLoss = losses.toFloatArray();
                wantGrad = x.grad().toFloatArray();
            } finally {
                Backends.use(previous);
            }

            int atLogits = TestDevice.put(logits), atLoss = ARENA.allocate(rows);
            int atLogP = ARENA.allocate(logits.length);
            float[] rowScale = gOut.clone();
            rowScale[2] = 0; // the ignored row
            int atScale = TestDevice.put(rowScale);
            OPS.crossEntropy(atLoss, atLogP, atLogits, targets, rows, classes, ignore);
            float[] logProbs = TestDevice.get(atLogP, logits.length);
            OPS.crossEntropyBackward(atLogP, atScale, targets, rows, classes, ignore);

            double maxD = 0;
            for (float v : logits) maxD = Math.max(maxD, Math.abs(v) * 2);
            double[] tolLoss = new double[rows], tolGrad = new double[logits.length];
            for (int i = 0; i < rows; i++) tolLoss[i] = (Math.abs(wantLoss[i]) + maxD + classes / 128.0 + 12) * U;
            for (int e = 0; e < logits.length; e++) {
                double s = Math.abs(rowScale[e / classes]), p = Math.exp(logProbs[e]);
                double errY = (Math.abs(logProbs[e]) + maxD + classes / 128.0 + 12) * U;
                tolGrad[e] = s * (p * (errY + 5 * U) + U) + Float.MIN_NORMAL;
            }
            TestDevice.within("losses C=" + classes, wantLoss, TestDevice.get(atLoss, rows), tolLoss);
            TestDevice.within("dlogits C=" + classes, wantGrad, TestDevice.get(atLogP, logits.length), tolGrad);
            for (int at : new int[] {atLogits, atLoss, atLogP, atScale}) ARENA.free(at);
        }
    }
}
