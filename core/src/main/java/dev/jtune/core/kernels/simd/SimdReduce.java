package dev.jtune.core.kernels.simd;

import dev.jtune.core.kernels.ScalarReduce;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized sum and max of a contiguous float {@code a: [outer, r, inner]} along {@code r}, and the blocked sum of
 * squares of a gradient ({@link #sumOfSquares}). The sum and max come in two shapes:
 * {@link #sumRows}/{@link #maxRows} for {@code inner == 1} (each output a contiguous row, lanes across the row) and
 * {@link #sumColumns}/{@link #maxColumns} for {@code inner > 1} (lanes across outputs, each summed in increasing j).
 *
 * <p>Every output's arithmetic is fixed by its row length and the lane count alone, so splitting the outputs across
 * threads never changes a bit. Lane partial sums are combined by an explicit loop, not {@code reduceLanes(ADD)},
 * whose order the Vector API leaves unspecified.
 */
public final class SimdReduce {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private SimdReduce() {}

    /** {@code out[o] = sum_j a[o * r + j]} for {@code from <= o < to}. */
    public static void sumRows(float[] out, float[] a, int r, int from, int to) {
        for (int o = from; o < to; o++) out[o] = sum(a, o * r, r);
    }

    /** {@code out[o] = max_j a[o * r + j]} ({@link Math#max}; -inf when {@code r == 0}) for {@code from <= o < to}. */
    public static void maxRows(float[] out, float[] a, int r, int from, int to) {
        for (int o = from; o < to; o++) out[o] = max(a, o * r, r);
    }

    /** {@code out[o, i] = sum_j a[o, j, i]} for {@code from <= i < to}, j in increasing order. */
    public static void sumColumns(float[] out, float[] a, int o, int r, int inner, int from, int to) {
        int base = o * r * inner, outBase = o * inner;
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < r; j++) acc = acc.add(FloatVector.fromArray(F, a, base + j * inner + i));
            acc.intoArray(out, outBase + i);
        }
        for (; i < to; i++) {
            float s = 0;
            for (int j = 0; j < r; j++) s += a[base + j * inner + i];
            out[outBase + i] = s;
        }
    }

    /** {@code out[o, i] = max_j a[o, j, i]} ({@link Math#max}; -inf when {@code r == 0}) for {@code from <= i < to}. */
    public static void maxColumns(float[] out, float[] a, int o, int r, int inner, int from, int to) {
        int base = o * r * inner, outBase = o * inner;
        int i = from;
        for (int end = from + SimdMath.loopBound(to - from); i < end; i += L) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < r; j++) acc = acc.max(FloatVector.fromArray(F, a, base + j * inner + i));
            acc.intoArray(out, outBase + i);
        }
        for (; i < to; i++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < r; j++) m = Math.max(m, a[base + j * inner + i]);
            out[outBase + i] = m;
        }
    }

    /**
     * {@link ScalarReduce#sumOfSquares(float[], int, int)} bit for bit, its eight partial sums in one vector of doubles
     * (AVX-512) or two (AVX2): each float widened, squared exactly and added, as the scalar twin does. Other vector
     * widths take the scalar twin.
     */
    public static double sumOfSquares(float[] a, int n, int b) {
        int bits = DoubleVector.SPECIES_PREFERRED.vectorBitSize();
        if (!Simd.ENABLED || (bits != 512 && bits != 256)) return ScalarReduce.sumOfSquares(a, n, b);
        int start = b * ScalarReduce.SQUARES_BLOCK, end = Math.min(n, start + ScalarReduce.SQUARES_BLOCK);
        return bits == 512 ? squares512(a, start, end) : squares256(a, start, end);
    }

    /** The squares of {@code a[start, end)} in eight partial sums held in one 512-bit vector of doubles. */
    static double squares512(float[] a, int start, int end) {
        DoubleVector sums = DoubleVector.zero(DoubleVector.SPECIES_512);
        int i = start;
        for (; i + 8 <= end; i += 8) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(FloatVector.SPECIES_256, a, i)
                    .convertShape(VectorOperators.F2D, DoubleVector.SPECIES_512, 0);
            sums = sums.add(x.mul(x));
        }
        double[] partial = new double[ScalarReduce.SQUARES_LANES];
        sums.intoArray(partial, 0);
        return withTail(partial, a, start, i, end);
    }

    /** The same in two 256-bit vectors: partial sums 0-3 and 4-7. */
    static double squares256(float[] a, int start, int end) {
        DoubleVector low = DoubleVector.zero(DoubleVector.SPECIES_256), high = low;
        int i = start;
        for (; i + 8 <= end; i += 8) {
            DoubleVector x = (DoubleVector) FloatVector.fromArray(FloatVector.SPECIES_128, a, i)
                    .convertShape(VectorOperators.F2D, DoubleVector.SPECIES_256, 0);
            DoubleVector y = (DoubleVector) FloatVector.fromArray(FloatVector.SPECIES_128, a, i + 4)
                    .convertShape(VectorOperators.F2D, DoubleVector.SPECIES_256, 0);
            low = low.add(x.mul(x));
            high = high.add(y.mul(y));
        }
        double[] partial = new double[ScalarReduce.SQUARES_LANES];
        low.intoArray(partial, 0);
        high.intoArray(partial, 4);
        return withTail(partial, a, start, i, end);
    }

    /** Adds the squares of {@code a[i, end)} to their partial sums and combines them as the scalar twin does. */
    private static double withTail(double[] partial, float[] a, int start, int i, int end) {
        for (; i < end; i++) partial[(i - start) % ScalarReduce.SQUARES_LANES] += (double) a[i] * a[i];
        return ScalarReduce.addSquaresLanes(partial);
    }

    /** {@code sum(x[off .. off+n))}: one partial sum per lane, combined in lane order, then the tail. */
    static float sum(float[] x, int off, int n) {
        int bound = SimdMath.loopBound(n);
        float s = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (int j = 0; j < bound; j += L) acc = acc.add(FloatVector.fromArray(F, x, off + j));
            float[] lanes = new float[L];
            acc.intoArray(lanes, 0);
            s = addLanes(lanes);
        }
        for (int j = bound; j < n; j++) s += x[off + j];
        return s;
    }

    /** {@code max(x[off .. off+n))} with {@link Math#max} (exact, so lane order does not matter). */
    static float max(float[] x, int off, int n) {
        int bound = SimdMath.loopBound(n);
        float m = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector acc = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < bound; j += L) acc = acc.max(FloatVector.fromArray(F, x, off + j));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (int j = bound; j < n; j++) m = Math.max(m, x[off + j]);
        return m;
    }

    /**
     * {@code lanes[0] + ... + lanes[L - 1]}, added left to right: a vector's lanes summed in one fixed order
     * in every JIT tier ({@code reduceLanes(ADD)} leaves the order open). The caller stores the vector there itself
     * ({@code intoArray}): a vector handed to a method C2 does not inline is boxed, and a loop's accumulator handed on
     * after the loop was then boxed on every iteration of it (the read pass of {@code bench bandwidth}, where the call
     * was refused as rare, ran at 15 GB/s instead of 35, allocating two objects per vector added).
     */
    static float addLanes(float[] lanes) {
        float s = 0;
        for (int i = 0; i < L; i++) s += lanes[i];
        return s;
    }
}
