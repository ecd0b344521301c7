package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The batched matrix product {@code out[p] = A[p] @ B[p]} of core's {@code ScalarMatmul}, register-blocked in the
 * classic SGEMM way.
 *
 * <p>Tiling, from the outside in:
 * <ul>
 * <li>each work-group of {@code SIDE x SIDE} (16 x 16) work-items computes one {@code BLOCK_ROWS x BLOCK_COLS}
 *     (128 x 64) block of one output matrix; the grid's x runs over column blocks, y over row blocks, z over the batch
 *     ({@link #grid});
 * <li>the group walks the depth in steps of {@code DEPTH_STEP} (16): all its work-items together copy the {@code 128 x
 *     16} slice of A and the {@code 16 x 64} slice of B into local memory (zeros past the edges of m, n and k), wait at
 *     a barrier, and then each multiplies out of local memory into its own registers;
 * <li>each work-item owns a {@code ROWS_PER_ITEM x COLS_PER_ITEM} (8 x 4) register tile of outputs, strided by the
 *     group's side: work-item {@code (x, y)} holds rows {@code y, y + 16, ..., y + 112} and columns {@code x, x + 16, x
 *     + 32, x + 48} of the block. For each depth step {@code l} it reads 8 values of A and 4 of B from local memory and
 *     does 32 multiply-adds. The stride (rather than 8 adjacent rows) makes neighbouring work-items read neighbouring
 *     local addresses (no bank conflicts) and write neighbouring output columns (coalesced stores).
 * </ul>
 *
 * <p>The copies into local memory are coalesced for whichever operand stride is 1: when A's column stride is 1 (A
 * row-major) neighbouring work-items copy neighbouring {@code l} of one row, otherwise neighbouring rows of one
 * {@code l} (A transposed); likewise for B. Both slices are stored depth-major ({@code [l][row]}, {@code [l][col]}),
 * with one float of padding per line so that the depth-along copies do not all hit one bank.
 *
 * <p>Each output is still one float sum over {@code l} in increasing order, accumulated in its work-item's register.
 */
final class MatmulKernels {

    /** The work-group is {@code SIDE x SIDE} work-items. */
    static final int SIDE = 16;
    /** Output rows a work-item computes, {@code SIDE} apart. */
    static final int ROWS_PER_ITEM = 8;
    /** Output columns a work-item computes, {@code SIDE} apart. */
    static final int COLS_PER_ITEM = 4;
    /** Output rows of a work-group's block. */
    static final int BLOCK_ROWS = SIDE * ROWS_PER_ITEM;
    /** Output columns of a work-group's block. */
    static final int BLOCK_COLS = SIDE * COLS_PER_ITEM;
    /** The depth of the A and B slices staged in local memory at a time. */
    static final int DEPTH_STEP = 16;

    private static final int ITEMS = SIDE * SIDE;
    /** Line lengths of the local slices, padded by one float against bank conflicts. */
    private static final int A_PITCH = BLOCK_ROWS + 1, B_PITCH = BLOCK_COLS + 1;

    private MatmulKernels() {}

    /** One work-group per output block of a batch of {@code m x n} matrices. */
    static Grid grid(int m, int n, int batch) {
        return Grid.blocks(m, n, batch, BLOCK_ROWS, BLOCK_COLS, SIDE);
    }

    /**
     * {@code out: [batch, m, n]} contiguous; {@code A[p][i][l] = heap[aOffsets[p] + i * aRowStride + l * aColStride]}
     * ({@code m x k}), likewise B ({@code k x n}), so transposed and broadcast operands need no copy; the offsets are
     * in the int arena. Args {@code [m, n, k, out, aRowStride, aColStride, bRowStride, bColStride, aOffsets,
     * bOffsets]}; launched over {@link #grid}.
     */
    static void matmul(KernelContext k, FloatArray heap, IntArray ints, IntArray args, FloatArray scalars) {
        int m = args.get(0), n = args.get(1), depth = args.get(2), out = args.get(3);
        int aRow = args.get(4), aCol = args.get(5), bRow = args.get(6), bCol = args.get(7);
        int p = k.groupIdz;
        int a = ints.get(args.get(8) + p), b = ints.get(args.get(9) + p);
        int rowBase = k.groupIdy * BLOCK_ROWS, colBase = k.groupIdx * BLOCK_COLS;
        int tx = k.localIdx, ty = k.localIdy, item = ty * SIDE + tx;
        float[] aSlice = k.allocateFloatLocalArray(DEPTH_STEP * A_PITCH); // [l][row]
        float[] bSlice = k.allocateFloatLocalArray(DEPTH_STEP * B_PITCH); // [l][col]
        // new float[N] with a constant N becomes a private array, declared without an initialiser in the OpenCL
        // TornadoVM emits, so the sums are zeroed explicitly; Graal unrolls the constant-count loops below, so every
        // index into these arrays is a constant and a GPU compiler can keep them in registers.
        float[] sums = new float[ROWS_PER_ITEM * COLS_PER_ITEM]; // [row][col] of this work-item's tile
        float[] aValues = new float[ROWS_PER_ITEM];
        float[] bValues = new float[COLS_PER_ITEM];
        for (int s = 0; s < ROWS_PER_ITEM * COLS_PER_ITEM; s++) sums[s] = 0f;

        for (int l0 = 0; l0 < depth; l0 += DEPTH_STEP) {
            for (int e = item; e < DEPTH_STEP * BLOCK_ROWS; e += ITEMS) {
                int row = e / DEPTH_STEP, l = e % DEPTH_STEP; // neighbours along l: reads A row-major coalesced
                if (aCol != 1) {
                    row = e % BLOCK_ROWS; // neighbours along rows: reads A transposed coalesced
                    l = e / BLOCK_ROWS;
                }
                aSlice[l * A_PITCH + row] = element(heap, a, rowBase + row, m, aRow, l0 + l, depth, aCol);
            }
            for (int e = item; e < DEPTH_STEP * BLOCK_COLS; e += ITEMS) {
                int col = e % BLOCK_COLS, l = e / BLOCK_COLS; // neighbours along columns: B row-major
                if (bCol != 1) {
                    col = e / DEPTH_STEP; // neighbours along l: B transposed
                    l = e % DEPTH_STEP;
                }
                bSlice[l * B_PITCH + col] = element(heap, b, l0 + l, depth, bRow, colBase + col, n, bCol);
            }
            k.localBarrier();
            for (int l = 0; l < DEPTH_STEP; l++) {
                for (int i = 0; i < ROWS_PER_ITEM; i++) aValues[i] = aSlice[l * A_PITCH + ty + i * SIDE];
                for (int j = 0; j < COLS_PER_ITEM; j++) bValues[j] = bSlice[l * B_PITCH + tx + j * SIDE];
                for (int i = 0; i < ROWS_PER_ITEM; i++) {
                    for (int j = 0; j < COLS_PER_ITEM; j++) {
                        sums[i * COLS_PER_ITEM + j] += aValues[i] * bValues[j];
                    }
                }
            }
            k.localBarrier();
        }

        for (int i = 0; i < ROWS_PER_ITEM; i++) {
            int row = rowBase + ty + i * SIDE;
            if (row < m) {
                for (int j = 0; j < COLS_PER_ITEM; j++) {
                    int col = colBase + tx + j * SIDE;
                    if (col < n) heap.set(out + (p * m + row) * n + col, sums[i * COLS_PER_ITEM + j]);
                }
            }
        }
    }

    /**
     * {@code heap[base + i * iStride + j * jStride]}, or 0 outside {@code [0, iEnd) x [0, jEnd)} (the slices' edges);
     * nested single-condition ifs, as TornadoVM can mistranslate compound conditions.
     */
    private static float element(FloatArray heap, int base, int i, int iEnd, int iStride, int j, int jEnd,
                                 int jStride) {
        float value = 0f;
        if (i < iEnd) {
            if (j < jEnd) value = heap.get(base + i * iStride + j * jStride);
        }
        return value;
    }
}
