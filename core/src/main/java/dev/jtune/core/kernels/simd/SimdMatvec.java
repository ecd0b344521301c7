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
 *
 * <p>The vector loops run to a bound computed before the loop ({@code j < end}), never {@code j + L <= j1}: C2 does
 * not take the latter for a counted loop, so (its code, printed with {@code -XX:CompileCommand=print}) each of the
 * row-major form's nine loads and stores kept its range check against a length spilled to the stack, with a safepoint
 * poll in every iteration and nothing unrolled; it read GPT-2 124M's layer weights from memory at 23-25 GB/s on one
 * thread of a Zen 5, where the counted loop (checks hoisted, unrolled) reads 36-40 (and 93 vs 115 GB/s from L2).
 */
public final class SimdMatvec {

    /** Below this many rows the row-major form beats the tiles: less than one micro-tile of {@link SimdMatmul}. */
    static final int ROWS = SimdMatmul.MR;
    /**
     * Up to this many rows the dot-product form can beat the tiles, which transpose a depth-contiguous B to pack it
     * (measured on GPT-2's tied head, 8 x 768 @ 768 x 50257: 14 ms here, 28 ms tiled; level at about 16 rows).
     */
    static final int DOT_ROWS = SimdMatmul.MR;
    /**
     * Beyond one row, the dot-product form needs at least this much depth per row of A: it adds the lanes of every
     * output one by one (16 additions, whatever the depth), where the tiles transpose B once for all the rows. On the
     * tied head of a small model the lanes dominate: {@code [m, k] @ wte^T} (V = 50257, one Zen 5, 2 threads, ms, dot
     * products vs tiles) at k = 128 took 0.61 vs 0.86 (m = 2), 1.03 vs 0.85 (m = 4), 2.04 vs 0.86 (m = 8); at k = 256,
     * 1.49 vs 2.02 (m = 4), 2.55 vs 2.07 (m = 8); at k = 512, 4.00 vs 5.93 (m = 8); with a bf16 B the same crossings.
     */
    static final int DOT_DEPTH_PER_ROW = 64;

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /**
     * Most outputs of a row-major work unit (its {@code m} output rows together): 16 KiB, which stay in L1 while rows
     * of B stream past them.
     */
    private static final int MAX_OUTPUTS = 4096;
    /** Output columns of a dot-product work unit: eight dot products share each load of A. */
    private static final int DOTS = 8;
    /** Below this many multiply-adds a chunk of work is not worth a thread. */
    private static final long MIN_FMAS_PER_TASK = 1 << 16;

    private SimdMatvec() {}

    /** Whether {@code m} rows of A, {@code k} deep, against B in this layout are faster here than in the tiles. */
    public static boolean faster(int m, int k, int aColStride, int bRowStride, int bColStride) {
        if (bColStride != 1 && bRowStride == 1 && aColStride == 1) {
            return m == 1 || m <= DOT_ROWS && k >= DOT_DEPTH_PER_ROW * m;
        }
        return m < ROWS;
    }

    /** {@code out[p] = A[p] @ B[p]}, with the operands read as in {@link ScalarMatmul}; {@code out: [batch, m, n]}. */
    public static void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                              float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        product(out, a, aOffsets, aRowStride, aColStride, b, null, bOffsets, bRowStride, bColStride, m, n, k);
    }

    /**
     * {@link #matmul} with B given as bfloat16 bits, a frozen bf16 weight read in place: the same forms convert each
     * vector as they load it ({@link #lanes}), so the weight streams from memory at half the bytes and is never copied
     * (GPT-2 124M's shapes decode 1.4x faster than in F32; converting each run of a row into a scratch first decoded
     * slower than F32, each short run read cold). The same bits as {@link #matmul} on B converted first.
     */
    public static void matmulBf16(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                                  short[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        product(out, a, aOffsets, aRowStride, aColStride, null, b, bOffsets, bRowStride, bColStride, m, n, k);
    }

    /** B in {@code b} (F32), or as bfloat16 bits in {@code bh}; the other is null. */
    private static void product(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride, float[] b,
                                short[] bh, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        boolean rowMajor = bColStride == 1, dots = !rowMajor && bRowStride == 1 && aColStride == 1;
        if (!Simd.ENABLED || !(rowMajor || dots)) {
            if (bh == null) {
                SimdMatmul.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n,
                        k);
            } else {
                SimdMatmul.matmulHalfB(out, a, aOffsets, aRowStride, aColStride, bh, true, bOffsets, bRowStride,
                        bColStride, m, n, k);
            }
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
        int width = rowMajor ? rowMajorWidth(m, n, batch) : DOTS, units = (n + width - 1) / width;
        int grain = (int) Math.max(1, MIN_FMAS_PER_TASK / ((long) width * k * m));
        // Work units are (batch, column chunk), chunk fastest. The rows of A go innermost, so a chunk of B is fetched
        // from memory once and re-read from cache for the other rows.
        Parallel.forRange(batch * units, grain, (u0, u1) -> {
            float[] lanes = rowMajor ? null : new float[L];  // the dot products' scratch for adding lanes
            for (int u = u0; u < u1; u++) {
                int p = u / units, j0 = (u % units) * width, j1 = Math.min(n, j0 + width);
                if (rowMajor) {
                    rowMajor(out, p * m * n, n, m, a, aOffsets[p], aRowStride, aColStride, b, bh, bOffsets[p],
                             bRowStride, k, j0, j1);
                    continue;
                }
                for (int i = 0; i < m; i++) {
                    int c = (p * m + i) * n, ai = aOffsets[p] + i * aRowStride;
                    if (bh == null) dots(out, c, a, ai, b, bOffsets[p], bColStride, k, j0, j1, lanes);
                    else dotsBf16(out, c, a, ai, bh, bOffsets[p], bColStride, k, j0, j1, lanes);
                }
            }
        });
    }

    /**
     * Columns per row-major work unit: at most {@code MAX_OUTPUTS / m}, a whole number of vectors, and for a single
     * matrix a number of units the threads share evenly. Wide units stream B best: each row of B is read in runs as
     * long as the unit is wide, and DRAM serves long runs faster. For one row of A on GPT-2 124M's weights (2 threads
     * of a Zen 5, where a plain read runs at 42 GB/s): 26-28 GB/s in units of at most 1024 columns, 29-31 GB/s in
     * halves of the matrix, 33-36 GB/s in halves read eight rows of B at a time; and two units per thread instead of
     * one made generation 7% slower.
     */
    private static int rowMajorWidth(int m, int n, int batch) {
        int maxWidth = Math.max(L, MAX_OUTPUTS / m);
        int chunks = (n + maxWidth - 1) / maxWidth, threads = Parallel.threads();
        if (batch == 1) chunks = (chunks + threads - 1) / threads * threads;
        int width = (n + chunks - 1) / chunks;
        return Math.max(L, (width + L - 1) / L * L);
    }

    /**
     * {@code out[c + i * n + j] = sum_l A[i][l] * B[l][j]} for {@code i < m}, {@code j0 <= j < j1}: {@code A[i][l] =
     * a[aOff + i * ars + l * acs]}, B row-major at {@code b[bOff + l * brs + j]}. Each output row is its own
     * accumulator: it starts at zero and takes eight rows of B per pass, each read front to back, so memory is
     * streamed the way the prefetchers expect (a strip of columns walked down the depth in registers jumps a whole
     * row of B per step, and ran at half the bandwidth), eight streams at once (four left bandwidth unused).
     */
    private static void rowMajor(float[] out, int c, int n, int m, float[] a, int aOff, int ars, int acs, float[] b,
                                 short[] bh, int bOff, int brs, int k, int j0, int j1) {
        for (int i = 0; i < m; i++) Arrays.fill(out, c + i * n + j0, c + i * n + j1, 0f);
        int l = 0;
        for (; l + 8 <= k; l += 8) {
            for (int i = 0, ai = aOff + l * acs; i < m; i++, ai += ars) {
                eightRows(out, c + i * n, a, ai, acs, b, bh, bOff + l * brs, brs, j0, j1);
            }
        }
        for (; l < k; l++) {
            for (int i = 0; i < m; i++) {
                oneRow(out, c + i * n, a[aOff + i * ars + l * acs], b, bh, bOff + l * brs, j0, j1);
            }
        }
    }

    /**
     * {@code out[c + j] += x0 * B0[j]}, then {@code x1 * B1[j]}, ... {@code x7 * B7[j]} in that order: {@code xr =
     * a[ai + r * acs]}, and B's rows start at {@code b0}, {@code brs} apart, in {@code b} (or as bfloat16 bits in
     * {@code bh}, see {@link #lanes}).
     */
    private static void eightRows(float[] out, int c, float[] a, int ai, int acs, float[] b, short[] bh, int b0,
                                  int brs, int j0, int j1) {
        float x0 = a[ai], x1 = a[ai + acs], x2 = a[ai + 2 * acs], x3 = a[ai + 3 * acs];
        float x4 = a[ai + 4 * acs], x5 = a[ai + 5 * acs], x6 = a[ai + 6 * acs], x7 = a[ai + 7 * acs];
        int b1 = b0 + brs, b2 = b1 + brs, b3 = b2 + brs, b4 = b3 + brs, b5 = b4 + brs, b6 = b5 + brs, b7 = b6 + brs;
        FloatVector v0 = FloatVector.broadcast(F, x0), v1 = FloatVector.broadcast(F, x1);
        FloatVector v2 = FloatVector.broadcast(F, x2), v3 = FloatVector.broadcast(F, x3);
        FloatVector v4 = FloatVector.broadcast(F, x4), v5 = FloatVector.broadcast(F, x5);
        FloatVector v6 = FloatVector.broadcast(F, x6), v7 = FloatVector.broadcast(F, x7);
        int j = j0;
        for (int end = j0 + F.loopBound(j1 - j0); j < end; j += L) {  // not `j + L <= j1`: see the class comment
            FloatVector acc = FloatVector.fromArray(F, out, c + j);
            acc = v0.fma(lanes(b, bh, b0 + j), acc);
            acc = v1.fma(lanes(b, bh, b1 + j), acc);
            acc = v2.fma(lanes(b, bh, b2 + j), acc);
            acc = v3.fma(lanes(b, bh, b3 + j), acc);
            acc = v4.fma(lanes(b, bh, b4 + j), acc);
            acc = v5.fma(lanes(b, bh, b5 + j), acc);
            acc = v6.fma(lanes(b, bh, b6 + j), acc);
            acc = v7.fma(lanes(b, bh, b7 + j), acc);
            acc.intoArray(out, c + j);
        }
        for (; j < j1; j++) {
            float acc = Math.fma(x0, element(b, bh, b0 + j), out[c + j]);
            acc = Math.fma(x1, element(b, bh, b1 + j), acc);
            acc = Math.fma(x2, element(b, bh, b2 + j), acc);
            acc = Math.fma(x3, element(b, bh, b3 + j), acc);
            acc = Math.fma(x4, element(b, bh, b4 + j), acc);
            acc = Math.fma(x5, element(b, bh, b5 + j), acc);
            acc = Math.fma(x6, element(b, bh, b6 + j), acc);
            out[c + j] = Math.fma(x7, element(b, bh, b7 + j), acc);
        }
    }

    /** {@code out[c + j] += x * B[j]} with B's row at {@code bi} (in {@code b}, or {@code bh}: {@link #lanes}). */
    private static void oneRow(float[] out, int c, float x, float[] b, short[] bh, int bi, int j0, int j1) {
        FloatVector v = FloatVector.broadcast(F, x);
        int j = j0;
        for (int end = j0 + F.loopBound(j1 - j0); j < end; j += L) {
            v.fma(lanes(b, bh, bi + j), FloatVector.fromArray(F, out, c + j)).intoArray(out, c + j);
        }
        for (; j < j1; j++) out[c + j] = Math.fma(x, element(b, bh, bi + j), out[c + j]);
    }

    /**
     * {@code out[c + j] = dot(a[ai .. ai + k), b[bOff + j * bcs .. + k))} for {@code j0 <= j < j1}, {@code DOTS} at a
     * time so that each vector of A is loaded once for eight columns; {@code lanes} is a scratch of {@code L} floats,
     * reused (a fresh array for each output's lanes was about 7 GB/s of garbage at batch 8).
     * {@link #dotsBf16} is the same loop over bfloat16 bits: one method serving both (each load choosing) compiled, in
     * a run that had both, into code that left part of the Vector API to its allocating Java fallback (3.3 GB of boxed
     * vectors in a GPT-2 bf16 decode), so each dtype has its own.
     */
    private static void dots(float[] out, int c, float[] a, int ai, float[] b, int bOff, int bcs, int k, int j0,
                             int j1, float[] lanes) {
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
            s0.intoArray(lanes, 0);
            out[c + j] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b0, bound, k);
            s1.intoArray(lanes, 0);
            out[c + j + 1] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b1, bound, k);
            s2.intoArray(lanes, 0);
            out[c + j + 2] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b2, bound, k);
            s3.intoArray(lanes, 0);
            out[c + j + 3] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b3, bound, k);
            s4.intoArray(lanes, 0);
            out[c + j + 4] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b4, bound, k);
            s5.intoArray(lanes, 0);
            out[c + j + 5] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b5, bound, k);
            s6.intoArray(lanes, 0);
            out[c + j + 6] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b6, bound, k);
            s7.intoArray(lanes, 0);
            out[c + j + 7] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b7, bound, k);
        }
        for (; j < j1; j++) {
            int b0 = bOff + j * bcs;
            FloatVector s = FloatVector.zero(F);
            for (int l = 0; l < bound; l += L) {
                s = FloatVector.fromArray(F, a, ai + l).fma(FloatVector.fromArray(F, b, b0 + l), s);
            }
            s.intoArray(lanes, 0);
            out[c + j] = tail(SimdReduce.addLanes(lanes), a, ai, b, null, b0, bound, k);
        }
    }

    /** {@link #dots} with B as bfloat16 bits, each vector converted as it is loaded: dots' bits on B converted. */
    private static void dotsBf16(float[] out, int c, float[] a, int ai, short[] bh, int bOff, int bcs, int k, int j0,
                                 int j1, float[] lanes) {
        int bound = F.loopBound(k), j = j0;
        for (; j + DOTS <= j1; j += DOTS) {
            int b0 = bOff + j * bcs, b1 = b0 + bcs, b2 = b1 + bcs, b3 = b2 + bcs;
            int b4 = b3 + bcs, b5 = b4 + bcs, b6 = b5 + bcs, b7 = b6 + bcs;
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0, s4 = s0, s5 = s0, s6 = s0, s7 = s0;
            for (int l = 0; l < bound; l += L) {
                FloatVector x = FloatVector.fromArray(F, a, ai + l);
                s0 = x.fma(SimdConvert.bf16Lanes(bh, b0 + l), s0);
                s1 = x.fma(SimdConvert.bf16Lanes(bh, b1 + l), s1);
                s2 = x.fma(SimdConvert.bf16Lanes(bh, b2 + l), s2);
                s3 = x.fma(SimdConvert.bf16Lanes(bh, b3 + l), s3);
                s4 = x.fma(SimdConvert.bf16Lanes(bh, b4 + l), s4);
                s5 = x.fma(SimdConvert.bf16Lanes(bh, b5 + l), s5);
                s6 = x.fma(SimdConvert.bf16Lanes(bh, b6 + l), s6);
                s7 = x.fma(SimdConvert.bf16Lanes(bh, b7 + l), s7);
            }
            s0.intoArray(lanes, 0);
            out[c + j] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b0, bound, k);
            s1.intoArray(lanes, 0);
            out[c + j + 1] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b1, bound, k);
            s2.intoArray(lanes, 0);
            out[c + j + 2] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b2, bound, k);
            s3.intoArray(lanes, 0);
            out[c + j + 3] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b3, bound, k);
            s4.intoArray(lanes, 0);
            out[c + j + 4] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b4, bound, k);
            s5.intoArray(lanes, 0);
            out[c + j + 5] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b5, bound, k);
            s6.intoArray(lanes, 0);
            out[c + j + 6] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b6, bound, k);
            s7.intoArray(lanes, 0);
            out[c + j + 7] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b7, bound, k);
        }
        for (; j < j1; j++) {
            int b0 = bOff + j * bcs;
            FloatVector s = FloatVector.zero(F);
            for (int l = 0; l < bound; l += L) {
                s = FloatVector.fromArray(F, a, ai + l).fma(SimdConvert.bf16Lanes(bh, b0 + l), s);
            }
            s.intoArray(lanes, 0);
            out[c + j] = tail(SimdReduce.addLanes(lanes), a, ai, null, bh, b0, bound, k);
        }
    }

    /** Continues the chain {@code acc} over depths {@code [from, k)} of two contiguous rows. */
    private static float tail(float acc, float[] a, int ai, float[] b, short[] bh, int bi, int from, int k) {
        for (int l = from; l < k; l++) acc = Math.fma(a[ai + l], element(b, bh, bi + l), acc);
        return acc;
    }

    /**
     * {@code L} floats of B at index {@code i}: from {@code b}, or, where {@code bh} is given, its bfloat16 bits
     * converted as they are loaded (a frozen bf16 weight read in place: half the bytes from memory). The choice is the
     * same for a whole call, so the JIT takes it out of the loops.
     */
    private static FloatVector lanes(float[] b, short[] bh, int i) {
        return bh == null ? FloatVector.fromArray(F, b, i) : SimdConvert.bf16Lanes(bh, i);
    }

    /** One float of B at index {@code i}, as {@link #lanes} reads it. */
    private static float element(float[] b, short[] bh, int i) {
        return bh == null ? b[i] : Float.intBitsToFloat(bh[i] << 16);
    }
}
