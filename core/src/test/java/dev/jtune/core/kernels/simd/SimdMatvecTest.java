package dev.jtune.core.kernels.simd;

import static dev.jtune.core.kernels.simd.MatmulOperands.assertMatchesInEveryLayout;
import static dev.jtune.core.kernels.simd.MatmulOperands.assertMatchesScalar;
import static dev.jtune.core.kernels.simd.MatmulOperands.assertWritesOnlyTheOutput;
import static dev.jtune.core.kernels.simd.MatmulOperands.product;
import static dev.jtune.core.kernels.simd.MatmulOperands.simdProduct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.kernels.Parallel;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SimdMatvec} against {@link dev.jtune.core.kernels.ScalarMatmul} for 1 to 8 rows, on vector tails, strip edges
 * and every layout, and bit for bit against the order of operations its documentation promises.
 */
class SimdMatvecTest {

    private static final int L = Simd.F.length();
    /** Output widths around the eight dot products, the vector length and the eight-vector strip. */
    private static final int[] COLUMNS = {0, 1, 7, 8, 9, L - 1, L, L + 1, 4 * L + 1, 8 * L - 1, 8 * L, 8 * L + 1,
                                          17 * L + 5};
    /** Depths around the vector length. */
    private static final int[] DEPTHS = {0, 1, L - 1, L, L + 1, 2 * L + 3, 67};
    private static final MatmulOperands.Kernel MATVEC = SimdMatvec::matmul;

    /** Every row count the backend sends here. */
    static IntStream rows() {
        return IntStream.rangeClosed(1, Math.max(SimdMatvec.ROWS - 1, SimdMatvec.DOT_ROWS));
    }

    @Test
    void takesRowMajorWeightsBelowOneTileOfRowsAndTransposedOnesUpToOneTileWhenDeepEnough() {
        int n = 100, k = 30;
        assertTrue(SimdMatvec.faster(7, k, 1, n, 1));
        assertFalse(SimdMatvec.faster(8, k, 1, n, 1));
        assertTrue(SimdMatvec.faster(1, k, 1, 1, k), "one row: dot products, however shallow");
        assertTrue(SimdMatvec.faster(8, 512, 1, 1, 512));
        assertFalse(SimdMatvec.faster(8, 511, 1, 1, 511), "eight rows of depth 511: the tiles");
        assertTrue(SimdMatvec.faster(2, 128, 1, 1, 128));
        assertFalse(SimdMatvec.faster(4, 128, 1, 1, 128));
        assertFalse(SimdMatvec.faster(9, 4096, 1, 1, 4096));
        assertFalse(SimdMatvec.faster(8, 4096, 40, 1, 4096), "A^T @ B^T has no fast form here");
    }

    /**
     * A bf16 B, each vector converted as it is loaded, gives the bits of the same form on B converted first: both
     * forms (B row-major, and B and A contiguous along the depth), vector tails, batch offsets.
     */
    @ParameterizedTest(name = "m={0}")
    @MethodSource("rows")
    void aBf16BGivesTheBitsOfConvertingItFirst(int m) {
        Random rnd = new Random(m);
        for (int n : COLUMNS) {
            for (int k : DEPTHS) {
                for (boolean transposed : new boolean[] {false, true}) {
                    MatmulOperands a = MatmulOperands.random(rnd, 2, m, k, false);
                    MatmulOperands b = MatmulOperands.random(rnd, 2, k, n, transposed);
                    float[] want = product(MATVEC, a, b.roundedToHalf(true), m, n, k), got = new float[want.length];
                    SimdMatvec.matmulBf16(got, a.data(), a.offsets(), a.rowStride(), a.colStride(), b.halves(true),
                            b.offsets(), b.rowStride(), b.colStride(), m, n, k);
                    assertArrayEquals(want, got, "m=" + m + " n=" + n + " k=" + k + (transposed ? " B^T" : " B"));
                }
            }
        }
    }

    /**
     * The same for one matrix wide enough that the threads split its columns, so that a thread's run of columns starts
     * mid-row and ends in a vector tail.
     */
    @ParameterizedTest(name = "m={0}")
    @MethodSource("rows")
    void aWideBf16BSplitAcrossThreadsGivesTheBitsOfConvertingItFirst(int m) {
        Random rnd = new Random(100 + m);
        int n = 40 * L + 3, k = 2 * L + 3;
        MatmulOperands a = MatmulOperands.random(rnd, 1, m, k, false);
        MatmulOperands b = MatmulOperands.random(rnd, 1, k, n, false);
        float[] want = product(MATVEC, a, b.roundedToHalf(true), m, n, k), got = new float[want.length];
        SimdMatvec.matmulBf16(got, a.data(), a.offsets(), a.rowStride(), a.colStride(), b.halves(true), b.offsets(),
                b.rowStride(), b.colStride(), m, n, k);
        assertArrayEquals(want, got, "m=" + m);
    }

    @ParameterizedTest(name = "m={0}")
    @MethodSource("rows")
    void matchesScalarOnAwkwardSizesInEveryLayout(int m) {
        for (int n : COLUMNS) {
            for (int k : DEPTHS) {
                for (int batch : new int[] {1, 3}) assertMatchesInEveryLayout(MATVEC, m, n, k, batch);
            }
        }
    }

    @ParameterizedTest(name = "m={0}")
    @MethodSource("rows")
    void rowMajorWeightsGiveTheTiledKernelsBitsExactly(int m) {
        // Both kernels compute each output as one fused multiply-add chain over the depth, so the path a product
        // takes (a prompt's many rows, then one row per generated token) changes no bit.
        Assumptions.assumeTrue(Simd.ENABLED, "SIMD kernels are switched off");
        Random rnd = new Random(m);
        for (int n : COLUMNS) {
            for (boolean transposeA : new boolean[] {false, true}) {
                MatmulOperands a = MatmulOperands.random(rnd, 2, m, 333, transposeA);
                MatmulOperands b = MatmulOperands.random(rnd, 2, 333, n, false);
                assertArrayEquals(simdProduct(a, b, m, n, 333), product(MATVEC, a, b, m, n, 333), "n=" + n);
            }
        }
    }

    @Test
    void depthContiguousWeightsAreLaneChainsAddedLeftToRightThenTheTail() {
        Assumptions.assumeTrue(Simd.ENABLED, "SIMD kernels are switched off");
        Random rnd = new Random(4);
        int m = 3, n = 8 * 2 + 3, k = 5 * L + 7;
        MatmulOperands a = MatmulOperands.random(rnd, 1, m, k, false);
        MatmulOperands b = MatmulOperands.random(rnd, 1, k, n, true);
        float[] out = product(MATVEC, a, b, m, n, k);
        int body = k / L * L;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float[] lanes = new float[L];
                for (int l = 0; l < body; l++) lanes[l % L] = Math.fma(a(a, i, l), b(b, l, j), lanes[l % L]);
                float acc = 0f;
                for (float lane : lanes) acc += lane;
                for (int l = body; l < k; l++) acc = Math.fma(a(a, i, l), b(b, l, j), acc);
                assertEquals(acc, out[i * n + j], "out[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void layoutsWithoutAFastFormTakeTheTiledKernel() {
        Random rnd = new Random(6);
        int m = 5, n = 2 * L + 3, k = 3 * L + 1;
        // A transposed against B transposed: never both contiguous along the depth.
        MatmulOperands at = MatmulOperands.random(rnd, 2, m, k, true), bt = MatmulOperands.random(rnd, 2, k, n, true);
        assertArrayEquals(simdProduct(at, bt, m, n, k), product(MATVEC, at, bt, m, n, k));
        // B as every other element of a row-major [k, 2n]: no unit stride at all.
        MatmulOperands a = MatmulOperands.random(rnd, 1, m, k, false);
        MatmulOperands wide = MatmulOperands.random(rnd, 1, k, 2 * n, false);
        MatmulOperands everyOther = new MatmulOperands(wide.data(), wide.offsets(), wide.rowStride(), 2);
        assertArrayEquals(simdProduct(a, everyOther, m, n, k), product(MATVEC, a, everyOther, m, n, k));
        assertMatchesScalar(MATVEC, a, everyOther, m, n, k, "column stride 2");
    }

    @Test
    void zeroStridesRepeatRowsAndColumns() {
        Random rnd = new Random(11);
        int m = 3, n = 8 * L + 3, k = 2 * L + 5;
        MatmulOperands a = MatmulOperands.random(rnd, 1, m, k, false);
        float[] data = new float[k + n];
        for (int i = 0; i < data.length; i++) data[i] = 2 * rnd.nextFloat() - 1;
        // Every column of B is data[0..k) (depth-contiguous form); every row of B is data[k..k+n) (row-major form).
        MatmulOperands sameColumns = new MatmulOperands(data, new int[] {0}, 1, 0);
        MatmulOperands sameRows = new MatmulOperands(data, new int[] {k}, 0, 1);
        assertMatchesScalar(MATVEC, a, sameColumns, m, n, k, "0 column stride");
        assertMatchesScalar(MATVEC, a, sameRows, m, n, k, "0 row stride");
    }

    @Test
    void resultIsBitIdenticalForAnyThreadCount() {
        Random rnd = new Random(5);
        int n = 3001, k = 777;
        int saved = Parallel.threads();
        try {
            for (int m : new int[] {1, 5}) {
                for (boolean transposeB : new boolean[] {false, true}) {
                    MatmulOperands a = MatmulOperands.random(rnd, 2, m, k, false);
                    MatmulOperands b = MatmulOperands.random(rnd, 2, k, n, transposeB);
                    Parallel.setThreads(1);
                    float[] expected = product(MATVEC, a, b, m, n, k);
                    for (int threads : new int[] {2, 3, 5}) {
                        Parallel.setThreads(threads);
                        assertArrayEquals(expected, product(MATVEC, a, b, m, n, k),
                                "m=" + m + (transposeB ? " B^T " : " B ") + threads + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void overwritesTheOutputAndNothingBeyondIt() {
        Random rnd = new Random(13);
        int m = 3, n = 8 * L + 1, k = 300;
        for (boolean transposeB : new boolean[] {false, true}) {
            MatmulOperands a = MatmulOperands.random(rnd, 1, m, k, false);
            assertWritesOnlyTheOutput(MATVEC, a, MatmulOperands.random(rnd, 1, k, n, transposeB), m, n, k);
        }
    }

    @Test
    void zeroDepthGivesZeros() {
        float[] out = new float[6];
        Arrays.fill(out, 7f);
        SimdMatvec.matmul(out, new float[0], new int[] {0, 0}, 0, 1, new float[0], new int[] {0, 0}, 3, 1, 1, 3, 0);
        assertArrayEquals(new float[6], out);
    }

    @Test
    void mismatchedBatchSizesFailNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimdMatvec.matmul(
                new float[4], new float[4], new int[] {0, 0}, 2, 1, new float[4], new int[] {0}, 2, 1, 1, 2, 2));
        assertEquals("matmul: 2 offsets for A != 1 for B", e.getMessage());
    }

    private static float a(MatmulOperands a, int i, int l) {
        return a.data()[a.offsets()[0] + i * a.rowStride() + l * a.colStride()];
    }

    private static float b(MatmulOperands b, int l, int j) {
        return b.data()[b.offsets()[0] + l * b.rowStride() + j * b.colStride()];
    }
}
