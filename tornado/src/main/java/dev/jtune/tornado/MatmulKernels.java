package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The batched matrix product {@code out[p] = A[p] @ B[p]} of core's {@code ScalarMatmul}, tiled: each {@code 16 x 16}
 * work-group ({@link Grid#tiles}) computes one tile of one output matrix, loading 16 x 16 tiles of A and B into local
 * memory in turn; every output is one float sum over {@code l = 0..k-1} in increasing order.
 */
final class MatmulKernels {

    private MatmulKernels() {}

    /**
     * {@code out: [batch, m, n]} contiguous; {@code A[p][i][l] = heap[aOffsets[p] + i * aRowStride + l * aColStride]}
     * ({@code m x k}), likewise B ({@code k x n}), so transposed and broadcast operands need no copy; the offsets are
     * in the int arena. Args {@code [m, n, k, out, aRowStride, aColStride, bRowStride, bColStride, aOffsets,
     * bOffsets]}; the grid's x runs over columns, y over rows, z over the batch.
     */
    static void matmul(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int m = args.get(0), n = args.get(1), depth = args.get(2), out = args.get(3);
        int aRow = args.get(4), aCol = args.get(5), bRow = args.get(6), bCol = args.get(7);
        int p = k.groupIdz;
        int a = ints.get(args.get(8) + p), b = ints.get(args.get(9) + p);
        float[] aTile = k.allocateFloatLocalArray(Grid.TILE * Grid.TILE); // [row][l]
        float[] bTile = k.allocateFloatLocalArray(Grid.TILE * Grid.TILE); // [l][col]
        int tx = k.localIdx, ty = k.localIdy;
        int row = k.groupIdy * Grid.TILE + ty, col = k.groupIdx * Grid.TILE + tx;
        float sum = 0f;
        for (int l0 = 0; l0 < depth; l0 += Grid.TILE) {
            int la = l0 + tx, lb = l0 + ty;
            aTile[ty * Grid.TILE + tx] = row < m && la < depth ? heap.get(a + row * aRow + la * aCol) : 0f;
            bTile[ty * Grid.TILE + tx] = lb < depth && col < n ? heap.get(b + lb * bRow + col * bCol) : 0f;
            k.localBarrier();
            for (int l = 0; l < Grid.TILE; l++) sum += aTile[ty * Grid.TILE + l] * bTile[l * Grid.TILE + tx];
            k.localBarrier();
        }
        if (row < m && col < n) heap.set(out + (p * m + row) * n + col, sum);
    }
}
