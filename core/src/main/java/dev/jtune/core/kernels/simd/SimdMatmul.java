package dev.jtune.core.kernels.simd;

import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.ScalarMatmul;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast batched F32 matrix product: the same function as {@link ScalarMatmul}, packed, register-blocked and
 * multithreaded.
 *
 * <p>The classic GotoBLAS/BLIS scheme: a block of {@code MC x KC} of A is packed into {@code MR}-row panels (L2),
 * a {@code KC x NR} slice of B into one panel (L1), and a micro-kernel keeps an {@code MR x NR} tile of the output in
 * vector registers while it walks the {@code KC} depth with one broadcast of A and {@code NR / L} loads of B per step.
 * Packing reads any strides, so transposed and broadcast operands cost nothing extra, and pads the edges with zeros,
 * so the micro-kernel only ever sees full tiles.
 *
 * <p>Determinism: every output is one chain of fused multiply-adds over {@code l = 0..k-1} in increasing order (a
 * tile continues from the value it stored after the previous {@code KC} block), so the result does not depend on the
 * blocking, the tile an element lands in, or the number of threads.
 *
 * <p>Scheduling: the depth is cut into spans (as much of A as stays packed in L2), one parallel pass per span in
 * order. Within a pass, threads take pieces of {@code NR}-wide column panels as {@link Parallel#forRange} hands them
 * out (from a shared counter, large pieces first and small ones at the end, so the threads finish together). A
 * thread packs the block of A of a pass once and keeps it for all its pieces from that block, so small pieces cost
 * no extra packing.
 */
public final class SimdMatmul {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /** Rows of the output tile held in registers. */
    static final int MR = 8;
    /** Columns of the output tile held in registers: two vectors. */
    static final int NR = 2 * L;
    /*
     * The blocking suits caches of 48 KiB (L1d) and 1-2 MiB (L2) per core. On another CPU, try other values with the
     * system properties named here (for example -Djtune.matmul.kc=192 in JTUNE_JAVA_OPTS, timed with ./jtune bench
     * matmul); results do not depend on them.
     */
    /** Depth of a packed block: a {@code KC x NR} panel of B stays in L1. */
    private static final int KC = blocking("jtune.matmul.kc", 256, 1);
    /** Rows of a packed block of A: {@code MC x KC} floats stay in L2. */
    private static final int MC = blocking("jtune.matmul.mc", 256, MR);
    /** Columns of the output computed over a span of depth before moving on: {@code MC x NC} floats stay in L2. */
    private static final int NC = blocking("jtune.matmul.nc", 32 * NR, NR);
    /** Below this many flops a piece of work is not worth a thread. */
    private static final long MIN_FLOPS_PER_TASK = 4_000_000;

    /** Most floats of A kept packed while B's column panels go by ({@link #block}): three depth blocks, 768 KiB. */
    private static final int RESIDENT_A = blocking("jtune.matmul.depthBlocks", 3, 1) * MC * KC;

    /** The system property {@code name} (a positive multiple of {@code unit}), or {@code fallback} when unset. */
    private static int blocking(String name, int fallback, int unit) {
        int value = Integer.getInteger(name, fallback);
        if (value <= 0 || value % unit != 0) {
            String expected = unit == 1 ? "a positive integer" : "a positive multiple of " + unit;
            throw new IllegalArgumentException(name + " must be " + expected + ", got " + value);
        }
        return value;
    }

    /** Per-thread packing buffers, reused across calls. */
    private static final class Buffers {
        final float[] a = new float[RESIDENT_A]; // (MC/MR, KC, MR) per depth block
        final float[] b = new float[KC * NR];   // (KC, NR)
        final float[] tile = new float[MR * NR]; // (MR, NR): an edge tile of the output
        final float[] halfColumns = new float[NR * KC]; // (NR, KC): a transposed half-precision B's panel, converted
        /** The pass whose block of A is packed in {@link #a}, where that block starts in A and its rows. */
        Object packedPass;
        int packedAt, packedMc;
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** Where B's panels come from: packs depth {@code [0, kc)}, columns {@code [0, nr)} of B at {@code off} into buf.b. */
    @FunctionalInterface
    private interface PanelSource {
        void pack(Buffers buf, int off, int rowStride, int colStride, int kc, int nr);
    }

    private SimdMatmul() {}

    /** {@code out[p] = A[p] @ B[p]}, with the operands read as in {@link ScalarMatmul}; {@code out: [batch, m, n]}. */
    public static void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                              float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        requireSameBatch(aOffsets, bOffsets);
        if (!Simd.ENABLED) {
            ScalarMatmul.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n, k);
            return;
        }
        product(out, a, aOffsets, aRowStride, aColStride,
                (buf, off, rs, cs, kc, nr) -> MatmulPacking.packB(buf.b, b, off, rs, cs, kc, nr), bOffsets, bRowStride,
                bColStride, m, n, k);
    }

    /**
     * {@link #matmul} with B given as half-precision bits ({@code bf16}: bfloat16, else IEEE F16), a frozen bf16
     * weight read in place: each panel is converted as it is packed, so no F32 copy of B is made and B's bytes are
     * read from memory once, at half the size. The bits are those of {@link #matmul} on B converted to F32 (the
     * conversion is exact).
     */
    public static void matmulHalfB(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                                   short[] b, boolean bf16, int[] bOffsets, int bRowStride, int bColStride, int m, int n,
                                   int k) {
        requireSameBatch(aOffsets, bOffsets);
        if (!Simd.ENABLED) {
            float[] converted = new float[b.length];
            SimdConvert.halfToF32(converted, b, bf16, 0, 0, b.length);
            ScalarMatmul.matmul(out, a, aOffsets, aRowStride, aColStride, converted, bOffsets, bRowStride, bColStride,
                    m, n, k);
            return;
        }
        product(out, a, aOffsets, aRowStride, aColStride,
                (buf, off, rs, cs, kc, nr) -> MatmulPacking.packHalfB(buf.b, b, bf16, off, rs, cs, kc, nr,
                        buf.halfColumns), bOffsets, bRowStride, bColStride, m, n, k);
    }

    private static void requireSameBatch(int[] aOffsets, int[] bOffsets) {
        if (bOffsets.length != aOffsets.length) {
            throw new IllegalArgumentException("matmul: " + aOffsets.length + " offsets for A != " + bOffsets.length
                    + " for B");
        }
    }

    /** The tiled product of {@link #matmul}, B's panels packed by {@code b} (from F32, or from half-precision bits). */
    private static void product(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride, PanelSource b,
                                int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        int batch = aOffsets.length;
        if (m == 0 || n == 0 || batch == 0) return;
        if (k == 0) {
            Arrays.fill(out, 0, batch * m * n, 0f);
            return;
        }
        int nPanels = (n + NR - 1) / NR, mc = rowsPerBlock(m, nPanels, batch), mBlocks = (m + mc - 1) / mc;
        int span = RESIDENT_A / (packedRows(mc) * KC) * KC;  // depth of A kept packed: up to three depth blocks
        long flopsPerPanel = 2L * mc * NR * Math.min(k, span);
        int grain = (int) Math.max(1, MIN_FLOPS_PER_TASK / flopsPerPanel);
        // Work units are (batch, row block, column panel), column panel fastest; a piece is a run of them.
        int units = batch * mBlocks * nPanels;
        for (int s0 = 0; s0 < k; s0 += span) {
            int from = s0, to = Math.min(k, s0 + span);
            Object pass = new Object();  // names this pass for the threads' packed blocks of A
            Parallel.forRange(units, grain, (u0, u1) -> {
                Buffers buf = BUFFERS.get();
                for (int u = u0; u < u1; ) {
                    int group = u / nPanels, p0 = u % nPanels, p1 = Math.min(nPanels, p0 + (u1 - u));
                    int p = group / mBlocks, i0 = (group % mBlocks) * mc;
                    block(out, p * m * n, a, aOffsets[p], aRowStride, aColStride, b, bOffsets[p], bRowStride,
                          bColStride, i0, Math.min(mc, m - i0), p0 * NR, Math.min(n, p1 * NR), n, from, to, pass,
                          buf);
                    u += p1 - p0;
                }
            });
        }
    }

    /**
     * Rows of A per block: {@code MC}, or fewer when a single matrix has too few column panels to give every thread
     * two. Threads split the column panels of a row block, and each packs the whole block of A for its panels; when
     * there are few panels (a product with N = 128 and K = 50257, the gradient of a small model's output head) that
     * packing, repeated on every thread, is a large part of the work, and splitting the rows instead packs each row
     * once. The result does not depend on it.
     */
    private static int rowsPerBlock(int m, int nPanels, int batch) {
        int threads = Parallel.threads();
        if (batch > 1 || nPanels >= 2 * threads || m <= MR) return MC;
        int share = (m + threads - 1) / threads;
        return Math.min(MC, (share + MR - 1) / MR * MR);
    }

    /**
     * Computes rows {@code [i0, i0 + mc)} and columns {@code [j0, j1)} of one output matrix over the span of depth
     * {@code [s0, s1)} (up to three depth blocks, 768 KiB of A, within L2; the whole depth of most products here),
     * continuing from the previous span's values: A's rows are packed over the span once per pass (kept for the
     * thread's next piece of the same block), then B's panels go by in one of two orders. Every output is one chain of
     * fused multiply-adds over the depth in increasing order either way.
     *
     * <ul>
     *   <li>B row-major: chunks of {@code NC} columns, depth blocks within a chunk, panels within a depth block, so a
     *       chunk of the output stays in L2 while the depth blocks go by and the panels of a depth block read each row
     *       of B across the chunk.</li>
     *   <li>B stored transposed (contiguous along the depth: the tied output head's {@code wte^T}, a linear layer's
     *       weight in the input gradient): panel after panel, each packed depth block after depth block across the
     *       span, so its NR rows of B are read front to back, which the prefetchers follow. The chunked order reads
     *       such a row one depth block at a time, a whole chunk of panels apart (GPT-2 124M's tied head,
     *       {@code [256, 768] @ [768, 50257]}, ran at 103 GFLOP/s that way and 120 this way on two threads).</li>
     * </ul>
     */
    private static void block(float[] out, int outOff, float[] a, int aOff, int ars, int acs,
                              PanelSource b, int bOff, int brs, int bcs, int i0, int mc, int j0, int j1, int n, int s0,
                              int s1, Object pass, Buffers buf) {
        int blockSize = packedRows(mc) * KC, c = outOff + i0 * n;  // floats of one packed depth block of A
        int aBlock = aOff + i0 * ars;
        if (buf.packedPass != pass || buf.packedAt != aBlock || buf.packedMc != mc) {
            for (int l0 = s0, at = 0; l0 < s1; l0 += KC, at += blockSize) {
                MatmulPacking.packA(buf.a, at, a, aBlock + l0 * acs, ars, acs, mc, Math.min(KC, s1 - l0));
            }
            buf.packedPass = pass;
            buf.packedAt = aBlock;
            buf.packedMc = mc;
        }
        if (brs == 1) {
            for (int j = j0; j < j1; j += NR) {
                int nr = Math.min(NR, j1 - j);
                for (int l0 = s0, at = 0; l0 < s1; l0 += KC, at += blockSize) {
                    int kc = Math.min(KC, s1 - l0);
                    b.pack(buf, bOff + l0 + j * bcs, 1, bcs, kc, nr);
                    panel(out, c + j, n, mc, nr, buf, at, kc, l0 > 0);
                }
            }
            return;
        }
        for (int jc = j0; jc < j1; jc += NC) {
            int jcEnd = Math.min(j1, jc + NC);
            for (int l0 = s0, at = 0; l0 < s1; l0 += KC, at += blockSize) {
                int kc = Math.min(KC, s1 - l0);
                for (int j = jc; j < jcEnd; j += NR) {
                    int nr = Math.min(NR, jcEnd - j);
                    b.pack(buf, bOff + l0 * brs + j * bcs, brs, bcs, kc, nr);
                    panel(out, c + j, n, mc, nr, buf, at, kc, l0 > 0);
                }
            }
        }
    }

    /**
     * {@code C (+)= Ablock @ Bpanel} for the {@code mc x nr} block of the output at {@code out[c..]} (row stride
     * {@code ldc}): the packed block of A at {@code buf.a[at..]} ({@code kc} deep) against the packed panel in
     * {@code buf.b}, one register tile of MR rows at a time.
     */
    private static void panel(float[] out, int c, int ldc, int mc, int nr, Buffers buf, int at, int kc,
                              boolean accumulate) {
        for (int i = 0; i < mc; i += MR) {
            int mr = Math.min(MR, mc - i);
            if (mr == MR && nr == NR) {
                kernel(out, c + i * ldc, ldc, buf.a, at + i * kc, kc, buf.b, accumulate);
            } else {
                edgeTile(out, c + i * ldc, ldc, mr, nr, buf.a, at + i * kc, kc, buf.b, accumulate, buf.tile);
            }
        }
    }

    /** Rows of a packed block of A: {@code mc} rounded up to whole row panels. */
    private static int packedRows(int mc) {
        return (mc + MR - 1) / MR * MR;
    }

    /** A partial tile: computed in full in a scratch tile, of which the valid {@code mr x nr} corner is copied. */
    private static void edgeTile(float[] out, int c, int ldc, int mr, int nr, float[] ap, int ai, int kc, float[] bp,
                                 boolean accumulate, float[] tile) {
        if (accumulate) {
            for (int r = 0; r < mr; r++) System.arraycopy(out, c + r * ldc, tile, r * NR, nr);
        }
        kernel(tile, 0, NR, ap, ai, kc, bp, accumulate);
        for (int r = 0; r < mr; r++) System.arraycopy(tile, r * NR, out, c + r * ldc, nr);
    }

    /**
     * The micro-kernel: {@code C[MR x NR] (+)= Apanel @ Bpanel} with {@code C} at {@code c[ci + r * ldc + j]},
     * {@code Apanel: (kc, MR)} at {@code ap[ai..]} and {@code Bpanel: (kc, NR)} at {@code bp[0..]}.
     */
    private static void kernel(float[] c, int ci, int ldc, float[] ap, int ai, int kc, float[] bp,
                               boolean accumulate) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
        FloatVector c40 = zero, c41 = zero, c50 = zero, c51 = zero, c60 = zero, c61 = zero, c70 = zero, c71 = zero;
        if (accumulate) {
            c00 = FloatVector.fromArray(F, c, ci);
            c01 = FloatVector.fromArray(F, c, ci + L);
            c10 = FloatVector.fromArray(F, c, ci + ldc);
            c11 = FloatVector.fromArray(F, c, ci + ldc + L);
            c20 = FloatVector.fromArray(F, c, ci + 2 * ldc);
            c21 = FloatVector.fromArray(F, c, ci + 2 * ldc + L);
            c30 = FloatVector.fromArray(F, c, ci + 3 * ldc);
            c31 = FloatVector.fromArray(F, c, ci + 3 * ldc + L);
            c40 = FloatVector.fromArray(F, c, ci + 4 * ldc);
            c41 = FloatVector.fromArray(F, c, ci + 4 * ldc + L);
            c50 = FloatVector.fromArray(F, c, ci + 5 * ldc);
            c51 = FloatVector.fromArray(F, c, ci + 5 * ldc + L);
            c60 = FloatVector.fromArray(F, c, ci + 6 * ldc);
            c61 = FloatVector.fromArray(F, c, ci + 6 * ldc + L);
            c70 = FloatVector.fromArray(F, c, ci + 7 * ldc);
            c71 = FloatVector.fromArray(F, c, ci + 7 * ldc + L);
        }
        for (int l = 0; l < kc; l++) {
            int bi = l * NR, a0 = ai + l * MR;
            FloatVector b0 = FloatVector.fromArray(F, bp, bi);
            FloatVector b1 = FloatVector.fromArray(F, bp, bi + L);
            FloatVector x = FloatVector.broadcast(F, ap[a0]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(F, ap[a0 + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(F, ap[a0 + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(F, ap[a0 + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(F, ap[a0 + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(F, ap[a0 + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(F, ap[a0 + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(F, ap[a0 + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }
}
