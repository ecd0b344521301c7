package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.kernels.ScalarReduce;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sum of squares of a gradient block, vectorised (one 512-bit vector of partial sums, or two 256-bit ones),
 * against its scalar twin bit for bit: awkward lengths and offsets, magnitudes from subnormal to 1e38, infinities
 * and NaN.
 */
class SimdSquaresTest {

    private static float[] values(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = switch (rnd.nextInt(10)) {
                case 0 -> Float.MIN_VALUE * rnd.nextInt(1000);
                case 1 -> (float) (rnd.nextGaussian() * 1e38);
                case 2 -> (float) (rnd.nextGaussian() * 1e-20);
                default -> (float) rnd.nextGaussian();
            };
        }
        return a;
    }

    private static void assertBothWidthsMatch(float[] a, int start, int end, String what) {
        double want = scalar(a, start, end);
        assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(SimdReduce.squares512(a, start, end)),
                "512 bits, " + what);
        assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(SimdReduce.squares256(a, start, end)),
                "256 bits, " + what);
    }

    /** ScalarReduce's block sum over {@code a[start, end)}: the block of a copy that starts there. */
    private static double scalar(float[] a, int start, int end) {
        float[] block = java.util.Arrays.copyOfRange(a, start, end);
        return ScalarReduce.sumOfSquares(block, block.length, 0);
    }

    @Test
    void everyLengthAndOffsetGivesTheScalarTwinsBits() {
        Random rnd = new Random(5);
        float[] a = values(rnd, 200);
        for (int start = 0; start < 9; start++) {
            for (int end = start; end <= a.length; end += 1 + rnd.nextInt(7)) {
                assertBothWidthsMatch(a, start, end, "[" + start + ", " + end + ")");
            }
        }
        float[] block = values(rnd, ScalarReduce.SQUARES_BLOCK);
        assertBothWidthsMatch(block, 0, block.length, "a whole block");
    }

    @Test
    void infinityAndNaNPropagateAsInTheScalarTwin() {
        float[] a = values(new Random(6), 37);
        a[3] = Float.NEGATIVE_INFINITY;
        assertBothWidthsMatch(a, 0, a.length, "-inf");
        assertEquals(Double.POSITIVE_INFINITY, SimdReduce.squares512(a, 0, a.length));
        a[30] = Float.NaN;
        assertBothWidthsMatch(a, 0, a.length, "-inf and NaN");
        assertEquals(Double.NaN, SimdReduce.squares256(a, 0, a.length));
    }

    @Test
    void theBackendEntryTakesBlocksOfTheWholeArray() {
        Random rnd = new Random(7);
        int n = 2 * ScalarReduce.SQUARES_BLOCK + 13;
        float[] a = values(rnd, n + 5);  // a longer (pooled) array: only the first n count
        for (int b = 0; b < ScalarReduce.squaresBlocks(n); b++) {
            assertEquals(Double.doubleToRawLongBits(ScalarReduce.sumOfSquares(a, n, b)),
                    Double.doubleToRawLongBits(SimdReduce.sumOfSquares(a, n, b)), "block " + b);
        }
    }
}
