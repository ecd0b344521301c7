package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtune.core.kernels.Parallel;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SimdMatmul#matmulHalfB}, which converts a BF16/F16 B panel by panel as it packs it, gives the bits of
 * {@link SimdMatmul#matmul} on B converted to F32 first: in every layout of B (row-major, transposed, neither), across
 * block edges, with batch offsets and any thread count. Unused slots of B hold NaN bits, so reading outside the
 * operand shows.
 */
class SimdMatmulHalfBTest {

    private static final int L = Simd.F.length();

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        int[][] sizes = {{1, 1, 1}, {3, L + 1, L - 1}, {2 * L + 3, 2 * L + 5, 300}, {300, 300, 600}, {261, 3 * L + 5, 777}};
        for (int[] s : sizes) {
            for (String layout : new String[] {"B", "B^T", "strided"}) {
                for (boolean bf16 : new boolean[] {true, false}) cases.add(Arguments.of(s[0], s[1], s[2], layout, bf16));
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0}x{2} @ {2}x{1}, {3}, bf16 {4}")
    @MethodSource("cases")
    void givesTheBitsOfConvertingBFirst(int m, int n, int k, String layout, boolean bf16) {
        Random rnd = new Random(31L * m + 7L * n + k);
        MatmulOperands a = MatmulOperands.random(rnd, 2, m, k, rnd.nextBoolean());
        MatmulOperands b = switch (layout) {
            case "B" -> MatmulOperands.random(rnd, 2, k, n, false);
            case "B^T" -> MatmulOperands.random(rnd, 2, k, n, true);
            default -> strided(rnd, k, n);  // row stride 3n + 1, column stride 3
        };
        short[] halves = b.halves(bf16);
        float[] want = MatmulOperands.simdProduct(a, b.roundedToHalf(bf16), m, n, k);
        int saved = Parallel.threads();
        try {
            for (int threads : new int[] {1, 3}) {
                Parallel.setThreads(threads);
                float[] got = new float[want.length];
                SimdMatmul.matmulHalfB(got, a.data(), a.offsets(), a.rowStride(), a.colStride(), halves, bf16,
                        b.offsets(), b.rowStride(), b.colStride(), m, n, k);
                assertArrayEquals(want, got, layout + ", " + threads + " threads");
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** Two {@code k x n} matrices read with strides that are neither 1 (every third element), NaN between. */
    private static MatmulOperands strided(Random rnd, int k, int n) {
        int cs = 3, rs = 3 * n + 1, size = (k - 1) * rs + (n - 1) * cs + 1;
        float[] data = new float[1 + 2 * size];
        Arrays.fill(data, Float.NaN);
        int[] offsets = {1, 1 + size};
        for (int off : offsets) {
            for (int l = 0; l < k; l++) for (int j = 0; j < n; j++) data[off + l * rs + j * cs] = 2 * rnd.nextFloat() - 1;
        }
        return new MatmulOperands(data, offsets, rs, cs);
    }
}
