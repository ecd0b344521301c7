package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The two target-dependent steps of core's fused cross-entropy ({@code Losses.crossEntropy}); the rest is log-softmax,
 * exp and a broadcast multiply ({@link DeviceOps#crossEntropy}, {@link DeviceOps#crossEntropyBackward}). One work-item
 * per row of {@code [rows, classes]}; targets in the int arena. Args of both: {@code [rows, classes, ignoreIndex,
 * targets (int arena), out, in]}.
 */
final class CrossEntropyKernels {

    private CrossEntropyKernels() {}

    /**
     * {@code losses[i] = -logProbs[i, target[i]]}, or 0 where the target is ignoreIndex; out = losses, in = logProbs.
     */
    static void nllLoss(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int rows = args.get(0), classes = args.get(1), ignore = args.get(2), targets = args.get(3);
        int losses = args.get(4), logProbs = args.get(5);
        for (int i = k.globalIdx; i < rows; i += k.globalGroupSizeX) {
            int t = ints.get(targets + i);
            heap.set(losses + i, t == ignore ? 0f : -heap.get(logProbs + i * classes + t));
        }
    }

    /** {@code grad[i, target[i]] -= rowScale[i]} where the target is not ignoreIndex; out = grad, in = rowScale. */
    static void nllGradAtTarget(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int rows = args.get(0), classes = args.get(1), ignore = args.get(2), targets = args.get(3);
        int grad = args.get(4), rowScale = args.get(5);
        for (int i = k.globalIdx; i < rows; i += k.globalGroupSizeX) {
            int t = ints.get(targets + i);
            if (t != ignore) {
                int at = grad + i * classes + t;
                heap.set(at, heap.get(at) - heap.get(rowScale + i));
            }
        }
    }
}
