package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;

/**
 * The register-blocked batched matmul against the reference on sizes that are not multiples of its 128 x 64 blocks,
 * its 16-deep slices or its 16 x 16 work-groups, in all four layouts (A and B each row-major or transposed, and with
 * padded lines), batches at arbitrary, unordered offsets, a B shared by the whole batch (equal offsets) and k = 0.
 *
 * <p>Tolerance: each output is a float sum of k products in increasing l, each product and sum rounded at most once,
 * so it is within {@code (k + 1) u sum_l |a_il b_lj|} of the exact value, which the reference rounds once.
 */
class MatmulKernelsTest {

    /** Awkward sizes around the block edges: below one work-group side, just past 2, 4, 8 and 16 sides. */
    private static final int[] SIZES = {1, 7, 33, 65, 129, 257};

    @Test
    void matchesTheReferenceOnEveryPairOfAwkwardSizesInAllFourLayouts() {
        // A Latin square over (m, n): every pair of sizes meets in m and n, and every size is a k with each m and n.
        for (int layout = 0; layout < 4; layout++) {
            boolean aT = (layout & 1) == 1, bT = (layout & 2) == 2;
            for (int i = 0; i < SIZES.length; i++) {
                for (int j = 0; j < SIZES.length; j++) {
                    int m = SIZES[i], n = SIZES[j], k = SIZES[(i + j + layout) % SIZES.length];
                    int batch = 1 + (i + 2 * j) % 3, pad = (i + j) % 2 * 3;
                    check(batch, m, n, k, aT, bT, false, pad, 31L * (layout * 36 + i * 6 + j));
                }
            }
        }
    }

    @Test
    void matchesTheReferenceOnSmallShapesSharedOperandsAndZeroDepth() {
        // batch, m, n, k, A transposed, B transposed, B shared by the batch
        int[][] cases = {{1, 1, 1, 1, 0, 0, 0}, {2, 7, 33, 17, 0, 0, 0}, {3, 17, 16, 33, 1, 0, 0},
            {2, 16, 17, 257, 0, 1, 1}, {1, 33, 7, 0, 0, 0, 0}, {4, 1, 65, 3, 1, 1, 1}, {3, 129, 65, 16, 1, 0, 1},
            {2, 128, 64, 32, 0, 0, 0}, {2, 0, 5, 3, 0, 0, 0}};
        for (int[] c : cases) check(c[0], c[1], c[2], c[3], c[4] == 1, c[5] == 1, c[6] == 1, 0, Arrays.hashCode(c));
    }

    /**
     * One batched product with operands at shuffled offsets, {@code pad} unused floats ending each line of A and B
     * (so their line strides are not the sizes), compared with the reference.
     */
    private static void check(int batch, int m, int n, int k, boolean aT, boolean bT, boolean shared, int pad,
                              long seed) {
        String what = "matmul batch " + batch + " m " + m + " n " + n + " k " + k + (aT ? " A^T" : " A")
                + (bT ? " @ B^T" : " @ B") + (shared ? " shared" : "") + " pad " + pad;
        int aRow = aT ? 1 : k + pad, aCol = aT ? m + pad : 1, bRow = bT ? 1 : n + pad, bCol = bT ? k + pad : 1;
        int aSize = aT ? k * (m + pad) : m * (k + pad), bSize = bT ? n * (k + pad) : k * (n + pad);
        Random rnd = new Random(seed);
        int[] aOffsets = scatteredOffsets(rnd, batch, aSize), bOffsets = scatteredOffsets(rnd, shared ? 1 : batch, bSize);
        if (shared) {
            int only = bOffsets[0];
            bOffsets = new int[batch];
            Arrays.fill(bOffsets, only);
        }
        float[] a = TestDevice.values(seed, end(aOffsets, aSize), 1);
        float[] b = TestDevice.values(seed + 1, end(bOffsets, bSize), 1);

        float[] want = new float[batch * m * n], magnitude = new float[want.length];
        REFERENCE.matmul(want, a, aOffsets, aRow, aCol, b, bOffsets, bRow, bCol, m, n, k);
        REFERENCE.matmul(magnitude, TestDevice.abs(a), aOffsets, aRow, aCol, TestDevice.abs(b), bOffsets, bRow, bCol,
                m, n, k);
        double[] tol = new double[want.length];
        for (int e = 0; e < tol.length; e++) tol[e] = (k + 1) * U * magnitude[e];

        int atA = TestDevice.put(a), atB = TestDevice.put(b), out = ARENA.allocate(Math.max(want.length, 1));
        ARENA.upload(new float[want.length], out, want.length);
        int[] aHeap = aOffsets.clone(), bHeap = bOffsets.clone();
        for (int p = 0; p < batch; p++) {
            aHeap[p] += atA;
            bHeap[p] += atB;
        }
        OPS.matmul(out, aHeap, aRow, aCol, bHeap, bRow, bCol, m, n, k);
        TestDevice.within(what, want, TestDevice.get(out, want.length), tol);
        ARENA.free(atA);
        ARENA.free(atB);
        ARENA.free(out);
    }

    /** Offsets of {@code count} operands of {@code size} floats in a shuffled order with random gaps between them. */
    private static int[] scatteredOffsets(Random rnd, int count, int size) {
        int[] order = new int[count];
        for (int p = 0; p < count; p++) order[p] = p;
        for (int p = count - 1; p > 0; p--) {
            int q = rnd.nextInt(p + 1), t = order[p];
            order[p] = order[q];
            order[q] = t;
        }
        int[] offsets = new int[count];
        int at = rnd.nextInt(5);
        for (int p : order) {
            offsets[p] = at;
            at += size + rnd.nextInt(5);
        }
        return offsets;
    }

    /** The length of an array holding operands of {@code size} floats at these offsets. */
    private static int end(int[] offsets, int size) {
        return Math.max(1, Arrays.stream(offsets).max().orElse(0) + size);
    }
}
