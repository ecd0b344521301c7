package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * GPT-2's fused bias + GELU over contiguous {@code x: [rows, cols]} and {@code bias: [cols]}: the same function as
 * core's default composition (the sum rounded to float, then the activation), in one pass over memory instead of two.
 * The bias gradient of the backward is a column sum, left to {@link ReduceKernels#reduce}.
 */
final class BiasGeluKernels {

    private BiasGeluKernels() {}

    /**
     * {@code out[r, c] = act(x[r, c] + bias[c])}; args {@code [n = rows * cols, cols, out, x, bias, act]} (act: GELU or
     * GELU_TANH code).
     */
    static void biasGelu(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), cols = args.get(1), out = args.get(2), x = args.get(3), bias = args.get(4);
        int act = args.get(5);
        for (int e = k.globalIdx; e < n; e += k.globalGroupSizeX) {
            heap.set(out + e, DeviceMath.unary(act, heap.get(x + e) + heap.get(bias + e % cols)));
        }
    }

    /**
     * {@code dx[r, c] = g[r, c] * act'(x[r, c] + bias[c])}, each step rounded to float as the composition does; args
     * {@code [n = rows * cols, cols, dx, g, x, bias, actGrad]} (actGrad: GELU_GRAD or GELU_TANH_GRAD code).
     */
    static void biasGeluBackward(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), cols = args.get(1), dx = args.get(2), g = args.get(3), x = args.get(4);
        int bias = args.get(5), actGrad = args.get(6);
        for (int e = k.globalIdx; e < n; e += k.globalGroupSizeX) {
            float slope = DeviceMath.unary(actGrad, heap.get(x + e) + heap.get(bias + e % cols));
            heap.set(dx + e, slope * heap.get(g + e));
        }
    }
}
