package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Reductions along the middle axis of a contiguous {@code a: [outer, r, inner]} into {@code [outer, inner]}: one
 * work-group per output ({@link Grid#groups}), its items striding over j, then a {@link GroupReduce} tree.
 */
final class ReduceKernels {

    private ReduceKernels() {}

    /**
     * {@code out[o, i] = sum or max over j of a[o, j, i]}: SUM of r = 0 is 0, MAX of r = 0 is -inf, MAX propagates NaN.
     * Args {@code [outer, r, inner, out, a, isMax]}.
     */
    static void reduce(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int outer = args.get(0), r = args.get(1), inner = args.get(2), out = args.get(3), a = args.get(4);
        boolean isMax = args.get(5) != 0;
        float[] partial = k.allocateFloatLocalArray(Grid.GROUP);
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int task = k.groupIdx; task < outer * inner; task += groups) {
            int base = task / inner * r * inner + task % inner;
            float acc = isMax ? Float.NEGATIVE_INFINITY : 0f;
            for (int j = k.localIdx; j < r; j += Grid.GROUP) {
                float x = heap.get(a + base + j * inner);
                acc = isMax ? (float) DeviceMath.max(acc, x) : acc + x;
            }
            float result = isMax ? GroupReduce.max(k, partial, acc) : GroupReduce.sum(k, partial, acc);
            if (k.localIdx == 0) heap.set(out + task, result);
        }
    }

    /**
     * {@code ints[out + o * inner + i] = } the first j maximizing {@code a[o, j, i]}, the first NaN if any (r &gt;= 1).
     * Each item keeps its best (value, j) over its strided js, then the group merges pairs by the same rule: NaN
     * beats numbers, a larger value beats a smaller, and between equals (or two NaNs) the smaller j wins.
     * Args {@code [outer, r, inner, out (int arena), a]}.
     */
    static void argmax(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int outer = args.get(0), r = args.get(1), inner = args.get(2), out = args.get(3), a = args.get(4);
        float[] values = k.allocateFloatLocalArray(Grid.GROUP);
        int[] indices = k.allocateIntLocalArray(Grid.GROUP);
        int t = k.localIdx;
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int task = k.groupIdx; task < outer * inner; task += groups) {
            int base = task / inner * r * inner + task % inner;
            float best = Float.NEGATIVE_INFINITY;
            int bestJ = -1;
            for (int j = t; j < r; j += Grid.GROUP) {
                float x = heap.get(a + base + j * inner);
                if (bestJ < 0 || beats(x, j, best, bestJ)) {
                    best = x;
                    bestJ = j;
                }
            }
            values[t] = best;
            indices[t] = bestJ;
            for (int half = Grid.GROUP / 2; half > 0; half /= 2) {
                k.localBarrier();
                if (t < half && indices[t + half] >= 0
                        && (indices[t] < 0 || beats(values[t + half], indices[t + half], values[t], indices[t]))) {
                    values[t] = values[t + half];
                    indices[t] = indices[t + half];
                }
            }
            k.localBarrier();
            if (t == 0) ints.set(out + task, indices[0]);
            k.localBarrier();
        }
    }

    /** True if {@code (x, j)} comes before {@code (y, i)} in argmax's order (both j, i valid). */
    private static boolean beats(float x, int j, float y, int i) {
        boolean xNaN = x != x, yNaN = y != y;
        if (xNaN || yNaN) return xNaN && (!yNaN || j < i);
        return x > y || x == y && j < i;
    }
}
