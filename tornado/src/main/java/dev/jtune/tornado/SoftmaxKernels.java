package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Row-wise softmax and log-softmax of a contiguous {@code [rows, cols]} array and their backward, as core's {@code
 * ScalarSoftmax}: one work-group per row ({@link Grid#groups}), row maximum and sums by {@link GroupReduce}, in float.
 * A row of all -inf, or holding +inf or NaN, comes out all NaN, as in PyTorch.
 */
final class SoftmaxKernels {

    private SoftmaxKernels() {}

    /**
     * {@code out[r, :] = softmax(a[r, :])} with the row maximum m subtracted first, or {@code a - m - log(sum exp(a -
     * m))} when log; out may be a. Args {@code [rows, cols, out, a, log]}.
     */
    static void softmax(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int rows = args.get(0), cols = args.get(1), out = args.get(2), a = args.get(3);
        boolean log = args.get(4) != 0;
        float[] partial = k.allocateFloatLocalArray(Grid.GROUP);
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int row = k.groupIdx; row < rows; row += groups) {
            softmaxRow(k, heap, partial, a + row * cols, out + row * cols, cols, log);
        }
    }

    /**
     * One row of {@link #softmax} by the whole work-group: {@code heap[out + j] = softmax(heap[in ..])[j]} for {@code j
     * < cols}; out may be in.
     */
    static void softmaxRow(KernelContext k, FloatArray heap, float[] partial, int in, int out, int cols, boolean log) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = k.localIdx; j < cols; j += Grid.GROUP) m = (float) DeviceMath.max(m, heap.get(in + j));
        m = GroupReduce.max(k, partial, m);
        float s = 0f;
        for (int j = k.localIdx; j < cols; j += Grid.GROUP) s += TornadoMath.exp(heap.get(in + j) - m);
        float sum = GroupReduce.sum(k, partial, s);
        float logSum = TornadoMath.log(sum);
        for (int j = k.localIdx; j < cols; j += Grid.GROUP) {
            float x = heap.get(in + j) - m;
            heap.set(out + j, log ? x - logSum : TornadoMath.exp(x) / sum);
        }
    }

    /**
     * The input gradient from the output y and the output gradient g: softmax {@code y * (g - sum(g * y))}, log-softmax
     * {@code g - exp(y) * sum(g)}. Args {@code [rows, cols, gradIn, g, y, log]}.
     */
    static void softmaxBackward(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int rows = args.get(0), cols = args.get(1), gradIn = args.get(2), g = args.get(3), y = args.get(4);
        boolean log = args.get(5) != 0;
        float[] partial = k.allocateFloatLocalArray(Grid.GROUP);
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int row = k.groupIdx; row < rows; row += groups) {
            int base = row * cols;
            float part = 0f;
            for (int j = k.localIdx; j < cols; j += Grid.GROUP) {
                part += log ? heap.get(g + base + j) : heap.get(g + base + j) * heap.get(y + base + j);
            }
            float s = GroupReduce.sum(k, partial, part);
            for (int j = k.localIdx; j < cols; j += Grid.GROUP) {
                float gj = heap.get(g + base + j), yj = heap.get(y + base + j);
                heap.set(gradIn + base + j, log ? gj - TornadoMath.exp(yj) * s : yj * (gj - s));
            }
        }
    }
}
