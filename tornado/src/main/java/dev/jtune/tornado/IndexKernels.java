package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Gather and scatter-add along the middle axis of a contiguous {@code [outer, dim, inner]} array (embedding lookup and
 * its backward are {@code outer = 1}), with the {@code len} indices in the int arena; indices are already checked.
 */
final class IndexKernels {

    private IndexKernels() {}

    /**
     * {@code out[o, j, i] = a[o, index[j], i]}, {@code out: [outer, len, inner]}: one work-item per output element.
     * Args {@code [outer, dim, inner, len, out, a, index (int arena)]}.
     */
    static void indexSelect(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int outer = args.get(0), dim = args.get(1), inner = args.get(2), len = args.get(3);
        int out = args.get(4), a = args.get(5), index = args.get(6);
        int n = outer * len * inner;
        for (int e = k.globalIdx; e < n; e += k.globalGroupSizeX) {
            int i = e % inner, j = e / inner % len, o = e / (inner * len);
            heap.set(out + e, heap.get(a + (o * dim + ints.get(index + j)) * inner + i));
        }
    }

    /**
     * {@code out[o, index[j], i] += src[o, j, i]}, {@code src: [outer, len, inner]}: one work-item per column {@code
     * (o, i)} adds its j in increasing order, so repeated indices accumulate deterministically without atomics. Args
     * {@code [outer, dim, inner, len, out, src, index (int arena)]}.
     */
    static void indexAdd(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int outer = args.get(0), dim = args.get(1), inner = args.get(2), len = args.get(3);
        int out = args.get(4), src = args.get(5), index = args.get(6);
        for (int c = k.globalIdx; c < outer * inner; c += k.globalGroupSizeX) {
            int o = c / inner, i = c % inner;
            for (int j = 0; j < len; j++) {
                int to = out + (o * dim + ints.get(index + j)) * inner + i;
                heap.set(to, heap.get(to) + heap.get(src + (o * len + j) * inner + i));
            }
        }
    }

    /**
     * The backward of a max along the middle axis: {@code out[o, index[o, i], i] = src[o, i]} for {@code src} and
     * {@code index: [outer, inner]}, other elements of {@code out: [outer, dim, inner]} left as they are; one work-item
     * per element of src. Args {@code [outer, dim, inner, out, src, index (int arena)]}.
     */
    static void scatter(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int outer = args.get(0), dim = args.get(1), inner = args.get(2), out = args.get(3), src = args.get(4);
        int index = args.get(5);
        for (int p = k.globalIdx; p < outer * inner; p += k.globalGroupSizeX) {
            heap.set(out + (p / inner * dim + ints.get(index + p)) * inner + p % inner, heap.get(src + p));
        }
    }
}
