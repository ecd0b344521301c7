package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;

/**
 * The tiled batched matmul against the reference on sizes that are not multiples of the 16 x 16 tile, transposed
 * operands (column strides other than 1), a B shared by the whole batch (equal offsets) and k = 0.
 *
 * <p>Tolerance: each output is a float sum of k products in increasing l, each product and sum rounded once (the device
 * does not fuse them), so it is within {@code (k + 1) u sum_l |a_il b_lj|} of the exact value, which the reference
 * rounds once.
 */
class MatmulKernelsTest {

    @Test
    void matchesTheReferenceOnAwkwardShapesAndStrides() {
        // batch, m, n, k, A transposed, B transposed, B shared by the batch
        int[][] cases = {{1, 1, 1, 1, 0, 0, 0}, {2, 7, 33, 17, 0, 0, 0}, {3, 17, 16, 33, 1, 0, 0},
            {2, 16, 17, 257, 0, 1, 1}, {1, 33, 7, 0, 0, 0, 0}, {4, 1, 65, 3, 1, 1, 1}};
        for (int[] c : cases) {
            int batch = c[0], m = c[1], n = c[2], k = c[3];
            boolean aT = c[4] == 1, bT = c[5] == 1, shared = c[6] == 1;
            float[] a = TestDevice.values(m + k, batch * m * k, 1), b = TestDevice.values(n + k, batch * k * n, 1);
            int[] aOffsets = new int[batch], bOffsets = new int[batch];
            for (int p = 0; p < batch; p++) {
                aOffsets[p] = p * m * k;
                bOffsets[p] = shared ? 0 : p * k * n;
            }
            int aRow = aT ? 1 : k, aCol = aT ? m : 1, bRow = bT ? 1 : n, bCol = bT ? k : 1;
            float[] want = new float[batch * m * n], magnitude = new float[want.length];
            REFERENCE.matmul(want, a, aOffsets, aRow, aCol, b, bOffsets, bRow, bCol, m, n, k);
            float[] absA = TestDevice.abs(a), absB = TestDevice.abs(b);
            REFERENCE.matmul(magnitude, absA, aOffsets, aRow, aCol, absB, bOffsets, bRow, bCol, m, n, k);
            double[] tol = new double[want.length];
            for (int e = 0; e < tol.length; e++) tol[e] = (k + 1) * U * magnitude[e];

            int atA = TestDevice.put(a), atB = TestDevice.put(b), out = ARENA.allocate(want.length);
            ARENA.upload(new float[want.length], out);
            int[] aHeap = aOffsets.clone(), bHeap = bOffsets.clone();
            for (int p = 0; p < batch; p++) {
                aHeap[p] += atA;
                bHeap[p] += atB;
            }
            OPS.matmul(out, aHeap, aRow, aCol, bHeap, bRow, bCol, m, n, k);
            TestDevice.within("matmul " + java.util.Arrays.toString(c), want, TestDevice.get(out, want.length), tol);
            ARENA.free(atA);
            ARENA.free(atB);
            ARENA.free(out);
        }
    }
}
