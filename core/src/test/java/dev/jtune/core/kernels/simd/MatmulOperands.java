package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.io.HalfFloats;
import dev.jtune.core.kernels.ScalarMatmul;
import java.util.Arrays;
import java.util.Random;

/**
 * Test operands for the matmul kernels: a batch of random logical matrices stored in one array the way a tensor view
 * would hold them (row- or column-major, padded leading dimension, gaps between batch entries).
 *
 * <p>Every slot of the array that no logical element maps to holds NaN, so a kernel that reads outside its operand
 * poisons its result.
 */
record MatmulOperands(float[] data, int[] offsets, int rowStride, int colStride) {

    /** {@code batch} random {@code rows x cols} matrices; {@code transposed} stores each column-major. */
    static MatmulOperands random(Random rnd, int batch, int rows, int cols, boolean transposed) {
        int pad = rnd.nextInt(3), ld = (transposed ? rows : cols) + pad;
        int rs = transposed ? 1 : ld, cs = transposed ? ld : 1;
        int size = (transposed ? cols : rows) * ld, gap = 1 + rnd.nextInt(5);
        float[] data = new float[gap + batch * (size + gap)];
        Arrays.fill(data, Float.NaN);
        int[] offsets = new int[batch];
        for (int p = 0; p < batch; p++) {
            offsets[p] = gap + p * (size + gap);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) data[offsets[p] + i * rs + j * cs] = 2 * rnd.nextFloat() - 1;
            }
        }
        return new MatmulOperands(data, offsets, rs, cs);
    }

    /** The same logical values with every element replaced by its magnitude (NaN slots stay NaN). */
    MatmulOperands abs() {
        float[] d = data.clone();
        for (int i = 0; i < d.length; i++) d[i] = Math.abs(d[i]);
        return new MatmulOperands(d, offsets, rowStride, colStride);
    }

    /** Every slot as bfloat16 ({@code bf16}) or IEEE F16 bits, rounded to nearest (NaN slots stay NaN). */
    short[] halves(boolean bf16) {
        short[] h = new short[data.length];
        for (int i = 0; i < h.length; i++) h[i] = bf16 ? HalfFloats.floatToBf16(data[i]) : HalfFloats.floatToF16(data[i]);
        return h;
    }

    /** The values {@link #halves} holds, as floats: a product of the half-precision operand must give their bits. */
    MatmulOperands roundedToHalf(boolean bf16) {
        short[] h = halves(bf16);
        float[] d = new float[h.length];
        for (int i = 0; i < d.length; i++) d[i] = bf16 ? HalfFloats.bf16ToFloat(h[i]) : HalfFloats.f16ToFloat(h[i]);
        return new MatmulOperands(d, offsets, rowStride, colStride);
    }

    /** A batched matmul kernel with the backend's signature. */
    @FunctionalInterface
    interface Kernel {
        void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                    float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k);
    }

    /** {@code out[p] = a[p] @ b[p]} by {@code kernel}. */
    static float[] product(Kernel kernel, MatmulOperands a, MatmulOperands b, int m, int n, int k) {
        float[] out = new float[a.offsets.length * m * n];
        kernel.matmul(out, a.data, a.offsets, a.rowStride, a.colStride, b.data, b.offsets, b.rowStride, b.colStride,
                      m, n, k);
        return out;
    }

    /** {@code out[p] = a[p] @ b[p]} by the scalar kernel. */
    static float[] scalarProduct(MatmulOperands a, MatmulOperands b, int m, int n, int k) {
        return product(ScalarMatmul::matmul, a, b, m, n, k);
    }

    /** {@code out[p] = a[p] @ b[p]} by the SIMD kernel. */
    static float[] simdProduct(MatmulOperands a, MatmulOperands b, int m, int n, int k) {
        return product(SimdMatmul::matmul, a, b, m, n, k);
    }

    /**
     * Fails unless {@code actual} is within {@code 1e-5 * sqrt(k)} of {@code expected} relative to {@code scale}, the
     * product of the magnitudes (the size a rounding error can have, whatever cancels in the sum).
     */
    static void assertClose(float[] expected, float[] actual, float[] scale, int k, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + " != " + expected.length);
        }
        double tol = 1e-5 * Math.sqrt(Math.max(k, 1));
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            if (!(err <= tol * scale[i] + 1e-30)) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]
                                         + " (tolerance " + tol * scale[i] + ")");
            }
        }
    }

    /** Checks the SIMD kernel against the scalar one on {@code a @ b}. */
    static void assertSimdMatchesScalar(MatmulOperands a, MatmulOperands b, int m, int n, int k, String what) {
        assertMatchesScalar(SimdMatmul::matmul, a, b, m, n, k, what);
    }

    /** Checks {@code kernel} against the scalar one on {@code a @ b}. */
    static void assertMatchesScalar(Kernel kernel, MatmulOperands a, MatmulOperands b, int m, int n, int k,
                                    String what) {
        float[] scale = scalarProduct(a.abs(), b.abs(), m, n, k);
        assertClose(scalarProduct(a, b, m, n, k), product(kernel, a, b, m, n, k), scale, k, what);
    }

    /** Checks {@code kernel} against the scalar one on random operands in all four layouts: A or A^T, B or B^T. */
    static void assertMatchesInEveryLayout(Kernel kernel, int m, int n, int k, int batch) {
        Random rnd = new Random(31L * m + 17L * n + k);
        for (boolean transposeA : new boolean[] {false, true}) {
            for (boolean transposeB : new boolean[] {false, true}) {
                MatmulOperands a = random(rnd, batch, m, k, transposeA);
                MatmulOperands b = random(rnd, batch, k, n, transposeB);
                assertMatchesScalar(kernel, a, b, m, n, k, "m=" + m + " n=" + n + " k=" + k + " batch " + batch + " "
                        + (transposeA ? "A^T" : "A") + " @ " + (transposeB ? "B^T" : "B"));
            }
        }
    }

    /** Checks that {@code kernel} writes all of {@code out[0, m n)} and nothing after it. */
    static void assertWritesOnlyTheOutput(Kernel kernel, MatmulOperands a, MatmulOperands b, int m, int n, int k) {
        float[] out = new float[m * n + 2];
        Arrays.fill(out, Float.NaN);
        out[m * n] = 42f;
        kernel.matmul(out, a.data, a.offsets, a.rowStride, a.colStride, b.data, b.offsets, b.rowStride, b.colStride,
                      m, n, k);
        assertArrayEquals(product(kernel, a, b, m, n, k), Arrays.copyOf(out, m * n));
        assertEquals(42f, out[m * n]);
        assertEquals(Float.NaN, out[m * n + 1]);
    }
}
