package dev.jtune.core.kernels.simd;

import static dev.jtune.core.kernels.simd.SimdMatmul.MR;
import static dev.jtune.core.kernels.simd.SimdMatmul.NR;

import dev.jtune.core.io.HalfFloats;
import java.util.Arrays;
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
    /** An A panel row is half a vector, moved with a masked load and store. */
    private static final boolean HALF_VECTOR_PANELS = MR == L / 2;
    /** The register transpose needs 16 lanes, half-vector A panels and two-vector B panels. */
    private static final boolean TRANSPOSE16 = L == 16 && HALF_VECTOR_PANELS && NR == 2 * L;
    private static final VectorMask<Float> LOW = F.indexInRange(0, L / 2);
    private static final VectorMask<Float> HIGH = LOW.not();
    /**
     * Lane indexes for the butterfly stage of distance d: {@code PICK_LOW_d.selectFrom(x, y)} and
     * {@code PICK_HIGH_d.selectFrom(x, y)} (constants in fields, not an array, so the JIT sees their exact type).
     */
    private static final FloatVector PICK_LOW_8 = pick(8, false), PICK_HIGH_8 = pick(8, true);
    private static final FloatVector PICK_LOW_4 = pick(4, false), PICK_HIGH_4 = pick(4, true);
    private static final FloatVector PICK_LOW_2 = pick(2, false), PICK_HIGH_2 = pick(2, true);
    private static final FloatVector PICK_LOW_1 = pick(1, false), PICK_HIGH_1 = pick(1, true);

    /** Low: lane q keeps x[q] where bit d of q is 0, else takes y[q - d]; high: y[q] where set, else x[q + d]. */
    private static FloatVector pick(int d, boolean high) {
        float[] index = new float[L];
        for (int q = 0; q < L && TRANSPOSE16; q++) {
            boolean set = (q & d) != 0;
            index[q] = high ? (set ? L + q : q + d) : (set ? L + q - d : q);
        }
        return FloatVector.fromArray(F, index, 0);
    }

    private MatmulPacking() {}

    /**
     * Packs rows {@code [0, mc)} and depth {@code [0, kc)} of A, read at {@code a[off + i * rs + l * cs]}, into
     * {@code ceil(mc / MR)} row panels at {@code dst[at..)}, rows past {@code mc} zero.
     */
    static void packA(float[] dst, int at, float[] a, int off, int rs, int cs, int mc, int kc) {
        int rows = 0, depth = 0;
        if (rs == 1) {
            // A stored transposed (a weight gradient's x^T or dlogits^T): the block's rows are contiguous at every
            // depth. Each depth's run of mc floats is read front to back, two panels per vector, so the prefetchers
            // follow it; panel by panel, every depth would be a 32-byte read a whole row of the source apart.
            depth = kc;
            rows = mc - mc % MR;
            for (int l = 0; l < kc; l++) {
                int src = off + l * cs, d = at + l * MR, i = 0;
                if (HALF_VECTOR_PANELS) {
                    for (; i + L <= rows; i += L) {
                        FloatVector run = FloatVector.fromArray(F, a, src + i);
                        run.intoArray(dst, d + i * kc, LOW);              // rows i..i+7 into their panel
                        run.intoArray(dst, d + (i + MR) * kc - MR, HIGH); // rows i+8..i+15 into the next
                    }
                }
                for (; i < rows; i += MR) System.arraycopy(a, src + i, dst, d + i * kc, MR);
            }
        } else if (TRANSPOSE16 && cs == 1) {
            depth = kc - kc % L;
            for (; rows + L <= mc; rows += L) {
                int panel = at + rows * kc;
                for (int l = 0; l < depth; l += L) {
                    transpose16(dst, panel + l * MR, panel + MR * kc + l * MR, MR, a, off + rows * rs + l, rs);
                }
            }
        }
        packARows(dst, at, a, off, rs, cs, 0, rows, depth, kc, kc);
        packARows(dst, at, a, off, rs, cs, rows, mc, 0, kc, kc);
        for (int i = mc; i % MR != 0; i++) {
            for (int l = 0; l < kc; l++) dst[at + i / MR * MR * kc + l * MR + i % MR] = 0f;
        }
    }

    /** Element by element: rows {@code [i0, i1)}, depth {@code [l0, l1)} of A into row panels of depth {@code kc}. */
    private static void packARows(float[] dst, int at, float[] a, int off, int rs, int cs, int i0, int i1, int l0,
                                  int l1, int kc) {
        for (int i = i0; i < i1; i++) {
            int src = off + i * rs, d = at + i / MR * MR * kc + i % MR;
            for (int l = l0; l < l1; l++) dst[d + l * MR] = a[src + l * cs];
        }
    }

    /**
     * Packs depth {@code [0, kc)} and columns {@code [0, nr)} of B, read at {@code b[off + l * rs + j * cs]}, into
     * one column panel at {@code dst[0..)}, columns past {@code nr} zero.
     */
    static void packB(float[] dst, float[] b, int off, int rs, int cs, int kc, int nr) {
        if (cs == 1 && nr == NR) {
            // Vector moves: much cheaper than System.arraycopy for a copy this short.
            for (int l = 0; l < kc; l++) {
                for (int v = 0; v < NR; v += L) FloatVector.fromArray(F, b, off + l * rs + v).intoArray(dst, l * NR + v);
            }
            return;
        }
        int depth = 0;
        if (TRANSPOSE16 && rs == 1 && nr == NR) {
            depth = kc - kc % L;
            // Columns 0-15 of the panel across the depth, then 16-31: each column of B is contiguous, so the reads are
            // 16 sequential streams at a time for the prefetchers to follow, not 32 (GPT-2's tied head, wte^T: 8%).
            for (int half = 0; half < NR; half += L) {
                for (int l = 0; l < depth; l += L) {
                    transpose16(dst, l * NR + half, l * NR + half + L / 2, NR, b, off + half * cs + l, cs);
                }
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
     * {@link #packB} from half-precision bits ({@code bf16}: bfloat16, else IEEE F16): the same panel, every element
     * converted exactly, so a product gets the bits it gets from B converted to F32 first (a frozen bf16 weight needs
     * no F32 copy). A row-major B's rows are converted straight into the panel; a transposed B's {@code nr} columns
     * into {@code scratch} ({@code (nr, kc)}, B's own layout, at least {@code KC * NR} floats), which packB then
     * transposes from cache.
     */
    static void packHalfB(float[] dst, short[] b, boolean bf16, int off, int rs, int cs, int kc, int nr,
                          float[] scratch) {
        if (cs == 1 && bf16 && nr == NR) {
            for (int l = 0; l < kc; l++) {  // as packB's vector moves, each converted on the way
                for (int v = 0; v < NR; v += L) SimdConvert.bf16Lanes(b, off + l * rs + v).intoArray(dst, l * NR + v);
            }
        } else if (cs == 1) {
            for (int l = 0; l < kc; l++) {
                int d = l * NR;  // row l of B at b[off + l * rs..] into dst[d..d + nr)
                SimdConvert.halfToF32(dst, b, bf16, off + l * rs - d, d, d + nr);
                Arrays.fill(dst, d + nr, d + NR, 0f);
            }
        } else if (rs == 1) {
            for (int j = 0; j < nr; j++) {
                SimdConvert.halfToF32(scratch, b, bf16, off + j * cs - j * kc, j * kc, (j + 1) * kc);
            }
            packB(dst, scratch, 0, 1, kc, kc, nr);
        } else {
            for (int l = 0; l < kc; l++) {
                for (int j = 0; j < NR; j++) dst[l * NR + j] = j < nr ? halfToF32(b[off + l * rs + j * cs], bf16) : 0f;
            }
        }
    }

    private static float halfToF32(short bits, boolean bf16) {
        return bf16 ? HalfFloats.bf16ToFloat(bits) : HalfFloats.f16ToFloat(bits);
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
        FloatVector t0 = PICK_LOW_8.selectFrom(r0, r8), t8 = PICK_HIGH_8.selectFrom(r0, r8);
        FloatVector t1 = PICK_LOW_8.selectFrom(r1, r9), t9 = PICK_HIGH_8.selectFrom(r1, r9);
        FloatVector t2 = PICK_LOW_8.selectFrom(r2, r10), t10 = PICK_HIGH_8.selectFrom(r2, r10);
        FloatVector t3 = PICK_LOW_8.selectFrom(r3, r11), t11 = PICK_HIGH_8.selectFrom(r3, r11);
        FloatVector t4 = PICK_LOW_8.selectFrom(r4, r12), t12 = PICK_HIGH_8.selectFrom(r4, r12);
        FloatVector t5 = PICK_LOW_8.selectFrom(r5, r13), t13 = PICK_HIGH_8.selectFrom(r5, r13);
        FloatVector t6 = PICK_LOW_8.selectFrom(r6, r14), t14 = PICK_HIGH_8.selectFrom(r6, r14);
        FloatVector t7 = PICK_LOW_8.selectFrom(r7, r15), t15 = PICK_HIGH_8.selectFrom(r7, r15);
        r0 = PICK_LOW_4.selectFrom(t0, t4);
        r4 = PICK_HIGH_4.selectFrom(t0, t4);
        r1 = PICK_LOW_4.selectFrom(t1, t5);
        r5 = PICK_HIGH_4.selectFrom(t1, t5);
        r2 = PICK_LOW_4.selectFrom(t2, t6);
        r6 = PICK_HIGH_4.selectFrom(t2, t6);
        r3 = PICK_LOW_4.selectFrom(t3, t7);
        r7 = PICK_HIGH_4.selectFrom(t3, t7);
        r8 = PICK_LOW_4.selectFrom(t8, t12);
        r12 = PICK_HIGH_4.selectFrom(t8, t12);
        r9 = PICK_LOW_4.selectFrom(t9, t13);
        r13 = PICK_HIGH_4.selectFrom(t9, t13);
        r10 = PICK_LOW_4.selectFrom(t10, t14);
        r14 = PICK_HIGH_4.selectFrom(t10, t14);
        r11 = PICK_LOW_4.selectFrom(t11, t15);
        r15 = PICK_HIGH_4.selectFrom(t11, t15);
        t0 = PICK_LOW_2.selectFrom(r0, r2);
        t2 = PICK_HIGH_2.selectFrom(r0, r2);
        t1 = PICK_LOW_2.selectFrom(r1, r3);
        t3 = PICK_HIGH_2.selectFrom(r1, r3);
        t4 = PICK_LOW_2.selectFrom(r4, r6);
        t6 = PICK_HIGH_2.selectFrom(r4, r6);
        t5 = PICK_LOW_2.selectFrom(r5, r7);
        t7 = PICK_HIGH_2.selectFrom(r5, r7);
        t8 = PICK_LOW_2.selectFrom(r8, r10);
        t10 = PICK_HIGH_2.selectFrom(r8, r10);
        t9 = PICK_LOW_2.selectFrom(r9, r11);
        t11 = PICK_HIGH_2.selectFrom(r9, r11);
        t12 = PICK_LOW_2.selectFrom(r12, r14);
        t14 = PICK_HIGH_2.selectFrom(r12, r14);
        t13 = PICK_LOW_2.selectFrom(r13, r15);
        t15 = PICK_HIGH_2.selectFrom(r13, r15);
        // Row t of the transpose: its first half goes to dst[lo + t * ldd..], its second half to dst[hi + t * ldd..].
        int h = hi - L / 2;
        r0 = PICK_LOW_1.selectFrom(t0, t1);
        r0.intoArray(dst, lo, LOW);
        r0.intoArray(dst, h, HIGH);
        r1 = PICK_HIGH_1.selectFrom(t0, t1);
        r1.intoArray(dst, lo + ldd, LOW);
        r1.intoArray(dst, h + ldd, HIGH);
        r2 = PICK_LOW_1.selectFrom(t2, t3);
        r2.intoArray(dst, lo + 2 * ldd, LOW);
        r2.intoArray(dst, h + 2 * ldd, HIGH);
        r3 = PICK_HIGH_1.selectFrom(t2, t3);
        r3.intoArray(dst, lo + 3 * ldd, LOW);
        r3.intoArray(dst, h + 3 * ldd, HIGH);
        r4 = PICK_LOW_1.selectFrom(t4, t5);
        r4.intoArray(dst, lo + 4 * ldd, LOW);
        r4.intoArray(dst, h + 4 * ldd, HIGH);
        r5 = PICK_HIGH_1.selectFrom(t4, t5);
        r5.intoArray(dst, lo + 5 * ldd, LOW);
        r5.intoArray(dst, h + 5 * ldd, HIGH);
        r6 = PICK_LOW_1.selectFrom(t6, t7);
        r6.intoArray(dst, lo + 6 * ldd, LOW);
        r6.intoArray(dst, h + 6 * ldd, HIGH);
        r7 = PICK_HIGH_1.selectFrom(t6, t7);
        r7.intoArray(dst, lo + 7 * ldd, LOW);
        r7.intoArray(dst, h + 7 * ldd, HIGH);
        r8 = PICK_LOW_1.selectFrom(t8, t9);
        r8.intoArray(dst, lo + 8 * ldd, LOW);
        r8.intoArray(dst, h + 8 * ldd, HIGH);
        r9 = PICK_HIGH_1.selectFrom(t8, t9);
        r9.intoArray(dst, lo + 9 * ldd, LOW);
        r9.intoArray(dst, h + 9 * ldd, HIGH);
        r10 = PICK_LOW_1.selectFrom(t10, t11);
        r10.intoArray(dst, lo + 10 * ldd, LOW);
        r10.intoArray(dst, h + 10 * ldd, HIGH);
        r11 = PICK_HIGH_1.selectFrom(t10, t11);
        r11.intoArray(dst, lo + 11 * ldd, LOW);
        r11.intoArray(dst, h + 11 * ldd, HIGH);
        r12 = PICK_LOW_1.selectFrom(t12, t13);
        r12.intoArray(dst, lo + 12 * ldd, LOW);
        r12.intoArray(dst, h + 12 * ldd, HIGH);
        r13 = PICK_HIGH_1.selectFrom(t12, t13);
        r13.intoArray(dst, lo + 13 * ldd, LOW);
        r13.intoArray(dst, h + 13 * ldd, HIGH);
        r14 = PICK_LOW_1.selectFrom(t14, t15);
        r14.intoArray(dst, lo + 14 * ldd, LOW);
        r14.intoArray(dst, h + 14 * ldd, HIGH);
        r15 = PICK_HIGH_1.selectFrom(t14, t15);
        r15.intoArray(dst, lo + 15 * ldd, LOW);
        r15.intoArray(dst, h + 15 * ldd, HIGH);
    }
}
