package dev.jtune.core.kernels.simd;

import static dev.jtune.core.kernels.simd.MatmulOperands.assertMatchesInEveryLayout;
import static dev.jtune.core.kernels.simd.MatmulOperands.assertSimdMatchesScalar;
import static dev.jtune.core.kernels.simd.MatmulOperands.assertWritesOnlyTheOutput;
import static dev.jtune.core.kernels.simd.MatmulOperands.simdProduct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jtune.core.kernels.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link SimdMatmul} against {@link dev.jtune.core.kernels.ScalarMatmul} on vector tails, block edges and layouts. */
class SimdMatmulTest {

    private static final int L = Simd.F.length();
    /** Sizes around the vector length, where tails and partial tiles live. */
    private static final int[] SMALL = {0, 1, L - 1, L, L + 1, 2 * L + 3};

    static Stream<Arguments> smallSizes() {
        List<Arguments> sizes = new ArrayList<>();
        for (int m : SMALL) for (int n : SMALL) for (int k : SMALL) sizes.add(Arguments.of(m, n, k));
        return sizes.stream();
    }

    /** Sizes large enough to cross every packing block (rows, columns and depth) with partial tiles at the end. */
    static Stream<Arguments> largeSizes() {
        return Stream.of(Arguments.of(300, 300, 600), Arguments.of(1, 700, 300), Arguments.of(700, 1, 300),
                         Arguments.of(2 * L + 3, 517, 1), Arguments.of(517, 2 * L + 3, 777));
    }

    @ParameterizedTest(name = "{0}x{2} @ {2}x{1}")
    @MethodSource("smallSizes")
    void matchesScalarOnVectorTailsInEveryLayout(int m, int n, int k) {
        assertMatchesInEveryLayout(SimdMatmul::matmul, m, n, k, 1);
    }

    @ParameterizedTest(name = "{0}x{2} @ {2}x{1}")
    @MethodSource("largeSizes")
    void matchesScalarAcrossBlockEdgesInEveryLayout(int m, int n, int k) {
        assertMatchesInEveryLayout(SimdMatmul::matmul, m, n, k, 1);
    }

    @Test
    void batchesUseTheirOwnOffsets() {
        assertMatchesInEveryLayout(SimdMatmul::matmul, 2 * L + 3, 3 * L + 1, 2 * L + 5, 3);
    }

    @Test
    void sharedOffsetsBroadcastOneMatrixOverTheBatch() {
        Random rnd = new Random(7);
        int m = 19, n = 37, k = 41;
        MatmulOperands a = MatmulOperands.random(rnd, 4, m, k, false);
        MatmulOperands one = MatmulOperands.random(rnd, 1, k, n, true);
        MatmulOperands b = new MatmulOperands(one.data(), new int[] {one.offsets()[0], one.offsets()[0],
                one.offsets()[0], one.offsets()[0]}, one.rowStride(), one.colStride());
        assertSimdMatchesScalar(a, b, m, n, k, "broadcast B");
    }

    @Test
    void zeroStridesRepeatRowsAndColumns() {
        Random rnd = new Random(11);
        int m = 2 * L + 3, n = 3 * L - 1, k = 300;
        float[] data = new float[k + n];
        for (int i = 0; i < data.length; i++) data[i] = 2 * rnd.nextFloat() - 1;
        // A: every row is data[0..k); B: every row is data[k..k+n), so out[i][j] = sum(a) * b[j].
        MatmulOperands rowsRepeated = new MatmulOperands(data, new int[] {0}, 0, 1);
        MatmulOperands columnsRepeated = new MatmulOperands(data, new int[] {k}, 0, 1);
        assertSimdMatchesScalar(rowsRepeated, columnsRepeated, m, n, k, "0 row strides");
        // A: every column is data[0..m); B: every column is data[k..k+k).
        MatmulOperands a = new MatmulOperands(new float[m + k], new int[] {0}, 1, 0);
        for (int i = 0; i < a.data().length; i++) a.data()[i] = 2 * rnd.nextFloat() - 1;
        MatmulOperands b = new MatmulOperands(a.data(), new int[] {m}, 1, 0);
        assertSimdMatchesScalar(a, b, m, n, k, "0 column strides");
    }

    @Test
    void everyOutputIsOneFusedMultiplyAddChainOverTheDepth() {
        // The blocking never splits a sum: each output equals fma(a[l], b[l], acc) for l = 0..k-1, bit for bit, in
        // both loop orders (B row-major: column chunks; B transposed: panels over spans of depth, here two spans for
        // the first 256 rows, one for the last 5).
        // (With -Djtune.simd=false the kernel is ScalarMatmul's plain multiply-add loop, so this is SIMD-only.)
        Assumptions.assumeTrue(Simd.ENABLED, "SIMD kernels are switched off");
        for (boolean transposeB : new boolean[] {false, true}) assertOneChainPerOutput(transposeB);
    }

    private static void assertOneChainPerOutput(boolean transposeB) {
        Random rnd = new Random(3);
        int m = 261, n = 3 * L + 5, k = 777;
        MatmulOperands a = MatmulOperands.random(rnd, 1, m, k, true);
        MatmulOperands b = MatmulOperands.random(rnd, 1, k, n, transposeB);
        float[] out = simdProduct(a, b, m, n, k);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = 0f;
                for (int l = 0; l < k; l++) {
                    acc = Math.fma(a.data()[a.offsets()[0] + i * a.rowStride() + l * a.colStride()],
                                   b.data()[b.offsets()[0] + l * b.rowStride() + j * b.colStride()], acc);
                }
                assertEquals(acc, out[i * n + j], "out[" + i + "][" + j + "], B transposed: " + transposeB);
            }
        }
    }

    /**
     * Threads take pieces of the work from a shared counter, so which thread computes an output changes from run to
     * run: with one pass over the depth (k = 517) and with three (k = 1800, B both ways), two row blocks each.
     */
    @Test
    void resultIsBitIdenticalForAnyThreadCount() {
        assertSameBitsForAnyThreadCount(300, 333, 517, true);
        assertSameBitsForAnyThreadCount(261, 333, 1800, true);
        assertSameBitsForAnyThreadCount(261, 333, 1800, false);
    }

    private static void assertSameBitsForAnyThreadCount(int m, int n, int k, boolean transposeB) {
        Random rnd = new Random(5);
        MatmulOperands a = MatmulOperands.random(rnd, 2, m, k, false);
        MatmulOperands b = MatmulOperands.random(rnd, 2, k, n, transposeB);
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] expected = simdProduct(a, b, m, n, k);
            for (int threads : new int[] {2, 3, 5}) {
                Parallel.setThreads(threads);
                assertArrayEquals(expected, simdProduct(a, b, m, n, k), threads + " threads, k " + k);
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void overwritesTheOutputAndNothingBeyondIt() {
        Random rnd = new Random(13);
        int m = 2 * L + 3, n = L + 1, k = 300;
        MatmulOperands a = MatmulOperands.random(rnd, 1, m, k, false);
        MatmulOperands b = MatmulOperands.random(rnd, 1, k, n, false);
        assertWritesOnlyTheOutput(SimdMatmul::matmul, a, b, m, n, k);
    }

    @Test
    void zeroDepthGivesZeros() {
        float[] out = new float[6];
        Arrays.fill(out, 7f);
        SimdMatmul.matmul(out, new float[0], new int[] {0}, 0, 1, new float[0], new int[] {0}, 3, 1, 2, 3, 0);
        assertArrayEquals(new float[6], out);
    }

    @Test
    void mismatchedBatchSizesFailNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimdMatmul.matmul(
                new float[8], new float[4], new int[] {0, 0}, 2, 1, new float[4], new int[] {0}, 2, 1, 2, 2, 2));
        assertEquals("matmul: 2 offsets for A != 1 for B", e.getMessage());
    }

    @Test
    void emptyBatchWritesNothing() {
        float[] out = {7f};
        SimdMatmul.matmul(out, new float[4], new int[0], 2, 1, new float[4], new int[0], 2, 1, 2, 2, 2);
        assertArrayEquals(new float[] {7f}, out);
    }
}
