package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Elementwise selections, as core's {@code ScalarSelect}: torch.where and torch.triu / tril. Copies, so exact. */
final class SelectKernels {

    private SelectKernels() {}

    /** {@code out[i] = condition[i] != 0 ? a[i] : b[i]}; args {@code [n, out, condition, a, b]}. */
    static void where(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), out = args.get(1), condition = args.get(2), a = args.get(3), b = args.get(4);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) {
            heap.set(out + i, heap.get(condition + i) != 0f ? heap.get(a + i) : heap.get(b + i));
        }
    }

    /**
     * {@code out[i] = a[i]} where element i of {@code [matrices, rows, cols]} has {@code col - row >= diagonal} (upper)
     * or {@code col - row <= diagonal} (lower), else 0; args {@code [n, out, a, rows, cols, diagonal, upper]}.
     */
    static void triangle(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int n = args.get(0), out = args.get(1), a = args.get(2), rows = args.get(3), cols = args.get(4);
        int diagonal = args.get(5), upper = args.get(6);
        for (int i = k.globalIdx; i < n; i += k.globalGroupSizeX) {
            int above = i % cols - i / cols % rows - diagonal; // >= 0 in the upper triangle, <= 0 in the lower
            int kept = upper != 0 ? (above >= 0 ? 1 : 0) : (above <= 0 ? 1 : 0);
            heap.set(out + i, kept != 0 ? heap.get(a + i) : 0f);
        }
    }
}
