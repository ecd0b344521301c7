package dev.jtune.core.kernels.simd;

import static dev.jtune.core.kernels.simd.SimdMatmul.MR;
import static dev.jtune.core.kernels.simd.SimdMatmul.NR;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of the operands of {@link SimdMatmul} into the zero-padded panels its micro-kernel reads.
 *
 * <p>A row panel holds MR rows of A as {@code (kc, MR)}; a column panel holds NR columns of B as {@code (kc, NR)}.
 * Copying along the contiguous axis is a plain copy; the other two cases (row-major A, and B stored transposed) are
 * transposes, done 16 x 16 at a time in registers when vectors have 16 lanes (AVX-512) and element by element
 * otherwise.
 */
final class MatmulPacking {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    /** The register transpose needs 16 lanes, and an A panel of half a vector. */
    private static final boolean TRANSPOSE16 = L == 16 && MR == 8 && NR == 2 * L;
    private static final VectorMask<Float> LOW = F.indexInRange(0, L / 2);
    private static final VectorMask<Float> HIGH = LOW.not();
    /** For each butterfly stage, the lane indexes picking the low and the high result from a pair of vectors. */
    private static final FloatVector[] PICK_LOW = new FloatVector[4], PICK_HIGH = new FloatVector[4];

    static {
        for (int s = 0; s < 4; s++) {
            int d = 8 >> s;
            float[] low = new float[L], high = new float[L];
            for (int q = 0; q < L && TRANSPOSE16; q++) {
                low[q] = (q & d) == 0 ? q : L + q - d;
                high[q] = (q & d) == 0 ? q + d : L + q;
            }
            PICK_LOW[s] = FloatVector.fromArray(F, low, 0);
            PICK_HIGH[s] = FloatVector.fromArray(F, high, 0);
        }
    }

    private MatmulPacking() {}

    /**
     * Packs rows {@code [0, mc)} and depth {@code [0, kc)} of A, read at {@code a[off + i * rs + l * cs]}, into
     * {@code ceil(mc / MR)} row panels at {@code dst[0..)}, rows past {@code mc} zero.
     */
    static void packA(float[] dst, float[] a, int off, int rs, int cs, int mc, int kc) {
        int rows = 0, depth = 0;
        if (rs == 1) {
            // A stored transposed: the MR rows of a panel are contiguous at every depth.
            depth = kc;
            for (; rows + MR <= mc; rows += MR) {
                for (int l = 0; l < kc; l++) System.arraycopy(a, off + rows + l * cs, dst, rows * kc + l * MR, MR);
            }
        } else if (TRANSPOSE16 && cs == 1) {
            depth = kc - kc % L;
            for (; rows + L <= mc; rows += L) {
                int panel = rows * kc;
                for (int l = 0; l < depth; l += L) {
                    transpose16(dst, panel + l * MR, panel + MR * kc + l * MR, MR, a, off + rows * rs + l, rs);
                }
            }
        }
        packARows(dst, a, off, rs, cs, 0, rows, depth, kc, kc);
        packARows(dst, a, off, rs, cs, rows, mc, 0, kc, kc);
        for (int i = mc; i % MR != 0; i++) {
            for (int l = 0; l < kc; l++) dst[i / MR * MR * kc + l * MR + i % MR] = 0f;
        }
    }

    /** Element by element: rows {@code [i0, i1)}, depth {@code [l0, l1)} of A into row panels of depth {@code kc}. */
    private static void packARows(float[] dst, float[] a, int off, int rs, int cs, int i0, int i1, int l0, int l1,
                                  int kc) {
        for (int i = i0; i < i1; i++) {
            int src = off + i * rs, d = i / MR * MR * kc + i % MR;
            for (int l = l0; l < l1; l++) dst[d + l * MR] = a[src + l * cs];
        }
    }

    /**
     * Packs depth {@code [0, kc)} and columns {@code [0, nr)} of B, read at {@code b[off + l * rs + j * cs]}, into
     * one column panel at {@code dst[0..)}, columns past {@code nr} zero.
     */
    static void packB(float[] dst, float[] b, int off, int rs, int cs, int kc, int nr) {
        if (cs == 1 && nr == NR) {
            for (int l = 0; l < kc; l++) System.arraycopy(b, off + l * rs, dst, l * NR, NR);
            return;
        }
        int depth = 0;
        if (TRANSPOSE16 && rs == 1 && nr == NR) {
            depth = kc - kc % L;
            for (int l = 0; l < depth; l += L) {
                transpose16(dst, l * NR, l * NR + L / 2, NR, b, off + l, cs);
                transpose16(dst, l * NR + L, l * NR + L + L / 2, NR, b, off + L * cs + l, cs);
            }
        }
        for (int j = 0; j < nr; j++) {
            int src = off + j * cs;
            for (int l = depth; l < kc; l++) dst[l * NR + j] = b[src + l * rs];
        }
        for (int j = nr; j < NR; j++) {
            for (int l = 0; l < kc; l++) dst[l * NR + j] = 0f;
        }
    }

    /**
     * Transposes the 16 x 16 block {@code src[off + r * stride + t]} ({@code r, t < 16}) and stores column {@code t}
     * split in halves: rows 0..7 at {@code dst[lo + t * ldd..]}, rows 8..15 at {@code dst[hi + t * ldd..]}.
     *
     * <p>Four butterfly stages; stage {@code d} swaps element {@code (r, t)} with {@code (r ^ d, t ^ d)} wherever bit
     * {@code d} of {@code r} and {@code t} differ, with one two-vector permute per result.
     */
    private static void transpose16(float[] dst, int lo, int hi, int ldd, float[] src, int off, int stride) {
        FloatVector r0 = FloatVector.fromArray(F, src, off), r1 = FloatVector.fromArray(F, src, off + stride);
        FloatVector r2 = FloatVector.fromArray(F, src, off + 2 * stride);
        FloatVector r3 = FloatVector.fromArray(F, src, off + 3 * stride);
        FloatVector r4 = FloatVector.fromArray(F, src, off + 4 * stride);
        FloatVector r5 = FloatVector.fromArray(F, src, off + 5 * stride);
        FloatVector r6 = FloatVector.fromArray(F, src, off + 6 * stride);
        FloatVector r7 = FloatVector.fromArray(F, src, off + 7 * stride);
        FloatVector r8 = FloatVector.fromArray(F, src, off + 8 * stride);
        FloatVector r9 = FloatVector.fromArray(F, src, off + 9 * stride);
        FloatVector r10 = FloatVector.fromArray(F, src, off + 10 * stride);
        FloatVector r11 = FloatVector.fromArray(F, src, off + 11 * stride);
        FloatVector r12 = FloatVector.fromArray(F, src, off + 12 * stride);
        FloatVector r13 = FloatVector.fromArray(F, src, off + 13 * stride);
        FloatVector r14 = FloatVector.fromArray(F, src, off + 14 * stride);
        FloatVector r15 = FloatVector.fromArray(F, src, off + 15 * stride);
        FloatVector lo8 = PICK_LOW[0], hi8 = PICK_HIGH[0];
        FloatVector t0 = lo8.selectFrom(r0, r8), t8 = hi8.selectFrom(r0, r8);
        FloatVector t1 = lo8.selectFrom(r1, r9), t9 = hi8.selectFrom(r1, r9);
        FloatVector t2 = lo8.selectFrom(r2, r10), t10 = hi8.selectFrom(r2, r10);
        FloatVector t3 = lo8.selectFrom(r3, r11), t11 = hi8.selectFrom(r3, r11);
        FloatVector t4 = lo8.selectFrom(r4, r12), t12 = hi8.selectFrom(r4, r12);
        FloatVector t5 = lo8.selectFrom(r5, r13), t13 = hi8.selectFrom(r5, r13);
        FloatVector t6 = lo8.selectFrom(r6, r14), t14 = hi8.selectFrom(r6, r14);
        FloatVector t7 = lo8.selectFrom(r7, r15), t15 = hi8.selectFrom(r7, r15);
        FloatVector lo4 = PICK_LOW[1], hi4 = PICK_HIGH[1];
        r0 = lo4.selectFrom(t0, t4);
        r4 = hi4.selectFrom(t0, t4);
        r1 = lo4.selectFrom(t1, t5);
        r5 = hi4.selectFrom(t1, t5);
        r2 = lo4.selectFrom(t2, t6);
        r6 = hi4.selectFrom(t2, t6);
        r3 = lo4.selectFrom(t3, t7);
        r7 = hi4.selectFrom(t3, t7);
        r8 = lo4.selectFrom(t8, t12);
        r12 = hi4.selectFrom(t8, t12);
        r9 = lo4.selectFrom(t9, t13);
        r13 = hi4.selectFrom(t9, t13);
        r10 = lo4.selectFrom(t10, t14);
        r14 = hi4.selectFrom(t10, t14);
        r11 = lo4.selectFrom(t11, t15);
        r15 = hi4.selectFrom(t11, t15);
        FloatVector lo2 = PICK_LOW[2], hi2 = PICK_HIGH[2];
        t0 = lo2.selectFrom(r0, r2);
        t2 = hi2.selectFrom(r0, r2);
        t1 = lo2.selectFrom(r1, r3);
        t3 = hi2.selectFrom(r1, r3);
        t4 = lo2.selectFrom(r4, r6);
        t6 = hi2.selectFrom(r4, r6);
        t5 = lo2.selectFrom(r5, r7);
        t7 = hi2.selectFrom(r5, r7);
        t8 = lo2.selectFrom(r8, r10);
        t10 = hi2.selectFrom(r8, r10);
        t9 = lo2.selectFrom(r9, r11);
        t11 = hi2.selectFrom(r9, r11);
        t12 = lo2.selectFrom(r12, r14);
        t14 = hi2.selectFrom(r12, r14);
        t13 = lo2.selectFrom(r13, r15);
        t15 = hi2.selectFrom(r13, r15);
        FloatVector lo1 = PICK_LOW[3], hi1 = PICK_HIGH[3];
        store(dst, lo, hi, 0, lo1.selectFrom(t0, t1));
        store(dst, lo, hi, ldd, hi1.selectFrom(t0, t1));
        store(dst, lo, hi, 2 * ldd, lo1.selectFrom(t2, t3));
        store(dst, lo, hi, 3 * ldd, hi1.selectFrom(t2, t3));
        store(dst, lo, hi, 4 * ldd, lo1.selectFrom(t4, t5));
        store(dst, lo, hi, 5 * ldd, hi1.selectFrom(t4, t5));
        store(dst, lo, hi, 6 * ldd, lo1.selectFrom(t6, t7));
        store(dst, lo, hi, 7 * ldd, hi1.selectFrom(t6, t7));
        store(dst, lo, hi, 8 * ldd, lo1.selectFrom(t8, t9));
        store(dst, lo, hi, 9 * ldd, hi1.selectFrom(t8, t9));
        store(dst, lo, hi, 10 * ldd, lo1.selectFrom(t10, t11));
        store(dst, lo, hi, 11 * ldd, hi1.selectFrom(t10, t11));
        store(dst, lo, hi, 12 * ldd, lo1.selectFrom(t12, t13));
        store(dst, lo, hi, 13 * ldd, hi1.selectFrom(t12, t13));
        store(dst, lo, hi, 14 * ldd, lo1.selectFrom(t14, t15));
        store(dst, lo, hi, 15 * ldd, hi1.selectFrom(t14, t15));
    }

    /** Lanes 0..7 of {@code v} to {@code dst[lo + at..]}, lanes 8..15 to {@code dst[hi + at..]}. */
    private static void store(float[] dst, int lo, int hi, int at, FloatVector v) {
        if (hi == lo + L / 2) {
            v.intoArray(dst, lo + at);
        } else {
            v.intoArray(dst, lo + at, LOW);
            v.intoArray(dst, hi + at - L / 2, HIGH);
        }
    }
}
