package dev.jtune.tornado;

import dev.jtune.core.kernels.ScalarReduce;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Reductions along the middle axis of a contiguous {@code a: [outer, r, inner]} into {@code [outer, inner]}: one
 * work-group per output ({@link Grid#groups}), its items striding over j, then a {@link GroupReduce} tree. And the
 * blocked sum of squares of a flat region, whose block sums go to the host.
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
     * {@code ints[out + o * inner + i] = } the first j maximizing {@code a[o, j, i]}, the first NaN if any (r &gt;= 1):
     * the group's maximum m (NaN if any is NaN), then the group's smallest j holding m. Two passes, because TornadoVM
     * 5.2 mistranslates the compound conditions of a one-pass (value, index) merge into OpenCL. Args {@code [outer, r,
     * inner, out (int arena), a]}.
     */
    static void argmax(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int outer = args.get(0), r = args.get(1), inner = args.get(2), out = args.get(3), a = args.get(4);
        float[] partial = k.allocateFloatLocalArray(Grid.GROUP);
        int[] firsts = k.allocateIntLocalArray(Grid.GROUP);
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int task = k.groupIdx; task < outer * inner; task += groups) {
            int base = a + task / inner * r * inner + task % inner;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = k.localIdx; j < r; j += Grid.GROUP) m = (float) DeviceMath.max(m, heap.get(base + j * inner));
            m = GroupReduce.max(k, partial, m);
            int first = r;
            for (int j = k.localIdx; j < r; j += Grid.GROUP) {
                float x = heap.get(base + j * inner);
                // x is the maximum if it equals m, or if both are NaN: two exclusive cases, added as 0/1 flags.
                int isMaximum = (x == m ? 1 : 0) + (m != m ? 1 : 0) * (x != x ? 1 : 0);
                first = Math.min(first, isMaximum > 0 ? j : r);
            }
            first = GroupReduce.min(k, firsts, first);
            if (k.localIdx == 0) ints.set(out + task, first);
        }
    }

    /**
     * {@code sums[b] = sum of heap[i]^2} over block {@code first + b} of a table of blocks, for {@code b < blocks}: the
     * table at {@code ints[table..]} holds each block's heap offset and length (at most
     * {@link ScalarReduce#SQUARES_BLOCK}), so one launch covers the blocks of many tensors. One work-group per block,
     * each item summing the squares of every 128th element in double, then a double {@link GroupReduce} tree. The host
     * adds each tensor's block sums in order. Args {@code [table, first, blocks]}; {@code sums} comes back to the host.
     */
    static void sumOfSquares(KernelContext k, FloatArray heap, IntArray ints, IntArray args, DoubleArray sums) {
        int table = args.get(0), first = args.get(1), blocks = args.get(2);
        double[] partial = k.allocateDoubleLocalArray(Grid.GROUP);
        int groups = k.globalGroupSizeX / Grid.GROUP;
        for (int b = k.groupIdx; b < blocks; b += groups) {
            int start = ints.get(table + 2 * (first + b)), end = start + ints.get(table + 2 * (first + b) + 1);
            double acc = 0;
            for (int i = start + k.localIdx; i < end; i += Grid.GROUP) {
                double x = heap.get(i);
                acc += x * x;
            }
            double sum = GroupReduce.sum(k, partial, acc);
            if (k.localIdx == 0) sums.set(b, sum);
        }
    }
}
