package dev.jtune.core.kernels.simd;

import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.ScalarMatmul;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched F32 matrix product for a few rows of A: token-by-token generation, where each step multiplies one row
 * per sequence by every weight matrix and {@link SimdMatmul}'s 8-row tiles would mostly compute padding or, for a
 * transposed weight, spend their time transposing it into packed panels. The same function as {@link ScalarMatmul};
 * B is read in place (no packing) and streamed once per call, which is what bounds a matrix-vector product.
 * {@link #faster} says which products to send here.
 *
 * <p>Two forms, chosen by B's layout:
 * <ul>
 *   <li>B row-major ({@code bColStride == 1}: GPT-2's Conv1D weights {@code [C, 3C]}, attention's values): each
 *       output row is a sum of B's rows scaled by A's entries, lanes across output columns. Every output is one
 *       chain of fused multiply-adds over {@code l = 0..k-1} in increasing order, the bits {@link SimdMatmul} gives.
 *       </li>
 *   <li>B contiguous along the depth ({@code bRowStride == 1}) and A too ({@code aColStride == 1}): a transposed
 *       view such as the tied head's {@code wte^T}, {@code nn.Linear} weights or attention's {@code k^T}. Each output
 *       is a dot product of two contiguous rows: lane {@code q} chains fused multiply-adds over the depths
 *       {@code l = q (mod L)} of the vector body, the lanes are added left to right, then the tail continues the
 *       chain.</li>
 * </ul>
 * Any other layout (broadcast columns, a transposed A against a transposed B) goes to {@link SimdMatmul}, which packs
 * whatever strides it gets.
 *
 * <p>Determinism: an output's arithmetic depends only on the layout, {@code k} and the vector length, never on which
 * thread computes it. Threads take disjoint runs of output columns of each batch entry.
 */
public final class SimdMatvec {

    /** Below this many rows the row-major form beats the tiles: less than one micro-tile of {@link SimdMatmul}. */
    static final int ROWS = SimdMatmul.MR;
    /**
     * Up to this many rows the dot-product form beats the tiles, which transpose a depth-contiguous B to pack it
     * (measured on GPT-2's tied head, 8 x 768 @ 768 x 50257: 14 ms here, 28 ms tiled; level at about 16 rows).
     */
    static final int DOT_ROWS = SimdMatmul.MR;

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /** Output columns of a row-major work unit: eight vector accumulators, enough to hide the FMA latency. */
    private static final int STRIP = 8 * L;
    /** Output columns of a dot-product work unit: eight dot products share each load of A. */
    private static final int DOTS = 8;
    /** Below this many multiply-adds a chunk of work is not worth a thread. */
    private static final long MIN_FMAS_PER_TASK = 1 << 16;

    private SimdMatvec() {}

    /** Whether {@code m} rows of A against B in this layout are faster here than in {@link SimdMatmul}'s tiles. */
    public static boolean faster(int m, int aColStride, int bRowStride, int bColStride) {
        return bColStride != 1 && bRowStride == 1 && aColStride == 1 ? m <= DOT_ROWS : m < ROWS;
    }

    /** {@code out[p] = A[p] @ B[p]}, with the operands read as in {@link ScalarMatmul}; {@code out: [batch, m, n]}. */
    public static void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                              float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        boolean rowMajor = bColStride == 1, dots = !rowMajor && bRowStride == 1 && aColStride == 1;
        if (!Simd.ENABLED || !(rowMajor || dots)) {
            SimdMatmul.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n, k);
            return;
        }
        int batch = aOffsets.length;
        if (bOffsets.length != batch) {
            throw new IllegalArgumentException("matmul: " + batch + " offsets for A != " + bOffsets.length + " for B");
        }
        if (m == 0 || n == 0 || batch == 0) return;
        if (k == 0) {
            Arrays.fill(out, 0, batch * m * n, 0f);
            return;
        }
        int width = rowMajor ? STRIP : DOTS, units = (n + width - 1) / width;
        int grain = (int) Math.max(1, MIN_FMAS_PER_TASK / ((long) width * k * m));
        // Work units are (batch, column strip), strip fastest. Rows go innermost, so a strip of B is fetched from
        // memory once and re-read from cache for the other rows.
        Parallel.forRange(batch * units, grain, (u0, u1) -> {
            for (int u = u0; u < u1; u++) {
                int p = u / units, j0 = (u % units) * width, j1 = Math.min(n, j0 + width);
                for (int i = 0; i < m; i++) {
                    int ai = aOffsets[p] + i * aRowStride, c = (p * m + i) * n;
                    if (rowMajor) {
                        rowMajor(out, c, a, ai, aColStride, b, bOffsets[p], bRowStride, k, j0, j1);
                    } else {
                        dots(out, c, a, ai, b, bOffsets[p], bColStride, k, j0, j1);
                    }
                }
            }
        });
    }

    /**
     * {@code out[c + j] = sum_l A[l] * B[l][j]} for {@code j0 <= j < j1}: {@code A[l] = a[ai + l * acs]}, B row-major
     * at {@code b[bOff + l * brs + j]}.
     */
    private static void rowMajor(float[] out, int c, float[] a, int ai, int acs, float[] b, int bOff, int brs, int k,
                                 int j0, int j1) {
        int j = j0;
        for (; j + STRIP <= j1; j += STRIP) strip(out, c + j, a, ai, acs, b, bOff + j, brs, k);
        for (; j + L <= j1; j += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int l = 0, bi = bOff + j; l < k; l++, bi += brs) {
                acc = FloatVector.broadcast(F, a[ai + l * acs]).fma(FloatVector.fromArray(F, b, bi), acc);
            }
            acc.intoArray(out, c + j);
        }
        for (; j < j1; j++) {
            float acc = 0f;
            for (int l = 0; l < k; l++) acc = Math.fma(a[ai + l * acs], b[bOff + l * brs + j], acc);
            out[c + j] = acc;
        }
    }

    /** {@code STRIP} outputs at {@code out[c..]} in eight vector accumulators; B's strip starts at {@code b[bi]}. */
    private static void strip(float[] out, int c, float[] a, int ai, int acs, float[] b, int bi, int brs, int k) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int l = 0; l < k; l++, bi += brs) {
            FloatVector x = FloatVector.broadcast(F, a[ai + l * acs]);
            c0 = x.fma(FloatVector.fromArray(F, b, bi), c0);
            c1 = x.fma(FloatVector.fromArray(F, b, bi + L), c1);
            c2 = x.fma(FloatVector.fromArray(F, b, bi + 2 * L), c2);
            c3 = x.fma(FloatVector.fromArray(F, b, bi + 3 * L), c3);
            c4 = x.fma(FloatVector.fromArray(F, b, bi + 4 * L), c4);
            c5 = x.fma(FloatVector.fromArray(F, b, bi + 5 * L), c5);
            c6 = x.fma(FloatVector.fromArray(F, b, bi + 6 * L), c6);
            c7 = x.fma(FloatVector.fromArray(F, b, bi + 7 * L), c7);
        }
        c0.intoArray(out, c);
        c1.intoArray(out, c + L);
        c2.intoArray(out, c + 2 * L);
        c3.intoArray(out, c + 3 * L);
        c4.intoArray(out, c + 4 * L);
        c5.intoArray(out, c + 5 * L);
        c6.intoArray(out, c + 6 * L);
        c7.intoArray(out, c + 7 * L);
    }

    /**
     * {@code out[c + j] = dot(a[ai .. ai + k), b[bOff + j * bcs .. + k))} for {@code j0 <= j < j1}, {@code DOTS} at a
     * time so that each vector of A is loaded once for eight columns.
     */
    private static void dots(float[] out, int c, float[] a, int ai, float[] b, int bOff, int bcs, int k,
                             int j0, int j1) {
        int bound = F.loopBound(k), j = j0;
        for (; j + DOTS <= j1; j += DOTS) {
            int b0 = bOff + j * bcs, b1 = b0 + bcs, b2 = b1 + bcs, b3 = b2 + bcs;
            int b4 = b3 + bcs, b5 = b4 + bcs, b6 = b5 + bcs, b7 = b6 + bcs;
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int l = 0; l < bound; l += L) {
                FloatVector x = FloatVector.fromArray(F, a, ai + l);
                s0 = x.fma(FloatVector.fromArray(F, b, b0 + l), s0);
                s1 = x.fma(FloatVector.fromArray(F, b, b1 + l), s1);
                s2 = x.fma(FloatVector.fromArray(F, b, b2 + l), s2);
                s3 = x.fma(FloatVector.fromArray(F, b, b3 + l), s3);
                s4 = x.fma(FloatVector.fromArray(F, b, b4 + l), s4);
                s5 = x.fma(FloatVector.fromArray(F, b, b5 + l), s5);
                s6 = x.fma(FloatVector.fromArray(F, b, b6 + l), s6);
                s7 = x.fma(FloatVector.fromArray(F, b, b7 + l), s7);
            }
            out[c + j] = tail(SimdReduce.addLanes(s0), a, ai, b, b0, bound, k);
            out[c + j + 1] = tail(SimdReduce.addLanes(s1), a, ai, b, b1, bound, k);
            out[c + j + 2] = tail(SimdReduce.addLanes(s2), a, ai, b, b2, bound, k);
            out[c + j + 3] = tail(SimdReduce.addLanes(s3), a, ai, b, b3, bound, k);
            out[c + j + 4] = tail(SimdReduce.addLanes(s4), a, ai, b, b4, bound, k);
            out[c + j + 5] = tail(SimdReduce.addLanes(s5), a, ai, b, b5, bound, k);
            out[c + j + 6] = tail(SimdReduce.addLanes(s6), a, ai, b, b6, bound, k);
            out[c + j + 7] = tail(SimdReduce.addLanes(s7), a, ai, b, b7, bound, k);
        }
        for (; j < j1; j++) {
            int b0 = bOff + j * bcs;
            FloatVector s = FloatVector.zero(F);
            for (int l = 0; l < bound; l += L) {
                s = FloatVector.fromArray(F, a, ai + l).fma(FloatVector.fromArray(F, b, b0 + l), s);
            }
            out[c + j] = tail(SimdReduce.addLanes(s), a, ai, b, b0, bound, k);
        }
    }

    /** Continues the chain {@code acc} over depths {@code [from, k)} of two contiguous rows. */
    private static float tail(float acc, float[] a, int ai, float[] b, int bi, int from, int k) {
        for (int l = from; l < k; l++) acc = Math.fma(a[ai + l], b[bi + l], acc);
        return acc;
    }
}
