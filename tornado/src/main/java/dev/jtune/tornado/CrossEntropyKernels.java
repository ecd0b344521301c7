package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Cross-entropy's pieces around the log-softmax, over the log-probabilities {@code [rows, classes]} and the targets
 * (in the int arena), as core's {@code ScalarLoss} defines them for the F32 backend methods {@code nllLoss} and
 * {@code crossEntropyBackward}; a row whose target is ignoreIndex contributes nothing.
 */
final class CrossEntropyKernels {

    private CrossEntropyKernels() {}

    /**
     * {@code losses[i] = -logProbs[i, target[i]]}, or 0 where the target is ignoreIndex; one work-item per row. Args
     * {@code [rows, classes, ignoreIndex, targets (int arena), losses, logProbs]}.
     */
    static void nllLoss(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int rows = args.get(0), classes = args.get(1), ignore = args.get(2), targets = args.get(3);
        int losses = args.get(4), logProbs = args.get(5);
        for (int i = k.globalIdx; i < rows; i += k.globalGroupSizeX) {
            int t = ints.get(targets + i);
            heap.set(losses + i, t == ignore ? 0f : -heap.get(logProbs + i * classes + t));
        }
    }

    /**
     * In place over the log-probabilities, one work-item per element:
     * {@code grad[i, j] = exp(grad[i, j]) * (float) s_i}, then at the target {@code grad - s_i} in double, rounded
     * once, with {@code s_i = g[i * gStride] * gScale} in double (0 at an ignored row), as core's HostBackend composes
     * it. gScale arrives as two floats, {@code hi + lo}, so {@code g hi + g lo} (each product exact in double) is
     * gScale's product to within 2^-48. Args {@code [rows, classes, ignoreIndex, targets (int arena), grad, g,
     * gStride]}, scalars {@code [gScaleHi, gScaleLo]}.
     */
    static void crossEntropyBackward(KernelContext k, FloatArray heap, IntArray ints, IntArray args,
                                     FloatArray scalars) {
        int rows = args.get(0), classes = args.get(1), ignore = args.get(2), targets = args.get(3);
        int grad = args.get(4), g = args.get(5), gStride = args.get(6);
        double hi = scalars.get(0), lo = scalars.get(1);
        for (int e = k.globalIdx; e < rows * classes; e += k.globalGroupSizeX) {
            int i = e / classes, t = ints.get(targets + i);
            double gi = heap.get(g + i * gStride);
            double s = t == ignore ? 0 : gi * hi + gi * lo;
            float value = DeviceMath.unary(DeviceMath.EXP, heap.get(grad + e)) * (float) s;
            heap.set(grad + e, e % classes == t ? (float) (value - s) : value);
        }
    }
}
