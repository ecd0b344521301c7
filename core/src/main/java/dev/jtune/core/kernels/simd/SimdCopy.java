package dev.jtune.core.kernels.simd;

import dev.jtune.core.kernels.Strided;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A strided view copied into another ({@code out[outOff + idx . outStrides] = a[aOff + idx . aStrides]}), planned once
 * per copy and run over independent units so a backend can split them across threads. Copies are exact, so every path
 * gives the same bits.
 *
 * <p>Four plans, after {@link Strided#collapse} has merged the dimensions that step as one in both views:
 * <ul>
 *   <li>the last dimension is contiguous in both: {@code System.arraycopy} per run (a contiguous copy is one run, a
 *       {@code cat} one run per block);</li>
 *   <li>the output's last dimension is contiguous and another dimension of the input is (a transpose, e.g.
 *       {@code [.., T, hs]} heads read through {@code transpose(-2, -1)}): each output row is gathered along the strided
 *       last dimension, in tiles of {@value #TILE_ROWS} rows by {@value #TILE_COLS} columns, so the source cache lines
 *       a tile touches are reused by its rows instead of being fetched again for every row;</li>
 *   <li>only the output's last dimension is contiguous: each run is gathered with its stride (or filled, for a
 *       broadcast stride 0);</li>
 *   <li>the output's last dimension is strided (a transposed destination): element by element.</li>
 * </ul>
 */
public final class SimdCopy {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();
    static final int TILE_ROWS = 16;
    static final int TILE_COLS = 64;

    /**
     * How to copy: the offsets, the collapsed {@code shape}, the output's {@code outStrides} and the input's
     * {@code strides}; for a transpose, which dimension is contiguous in the input ({@code rowDim}, else -1); and the
     * gather offsets of one vector along the last dimension.
     */
    public record Plan(int outOff, int[] outStrides, int aOff, int[] strides, int[] shape, int rowDim, int[] gather) {

        /** The number of independent units: elements for run plans, (batch, 16-row block) pairs for a transpose. */
        public int units() {
            int n = Strided.numel(shape);
            if (rowDim < 0 || n == 0) return n;
            return n / (shape[rowDim] * cols()) * rowBlocks();
        }

        /** Elements per unit. */
        public int unitSize() {
            return rowDim < 0 ? 1 : TILE_ROWS * cols();
        }

        private int cols() {
            return shape[shape.length - 1];
        }

        private int rowBlocks() {
            return (shape[rowDim] + TILE_ROWS - 1) / TILE_ROWS;
        }
    }

    private SimdCopy() {}

    /** The plan of a copy of {@code shape} from {@code (a, aOff, aStrides)} into {@code (out, outOff, outStrides)}. */
    public static Plan plan(int outOff, int[] outStrides, int aOff, int[] aStrides, int[] shape) {
        int[][] c = Strided.collapse(shape, outStrides, aStrides);  // {shape, outStrides, aStrides}
        int[] s = c[0], os = c[1], st = c[2];
        int last = s.length - 1, rowDim = -1;
        for (int d = 0; d < last && st[last] != 1 && os[last] == 1; d++) if (st[d] == 1) rowDim = d;
        int[] gather = new int[L];
        for (int j = 0; j < L; j++) gather[j] = j * st[last];
        return new Plan(outOff, os, aOff, st, s, rowDim, gather);
    }

    /** Copies the units {@code [from, to)} of the plan. */
    public static void run(Plan p, float[] out, float[] a, int from, int to) {
        if (p.rowDim() >= 0) {
            for (int u = from; u < to; u++) transposeUnit(p, out, a, u);
            return;
        }
        int last = p.shape().length - 1, os = p.outStrides()[last], as = p.strides()[last];
        Strided.forEachRun(p.shape(), p.outOff(), p.outStrides(), p.aOff(), p.strides(), from, to,
                (unused, o, ai, len) -> {
                    if (os != 1) {
                        stridedRun(out, o, os, a, ai, as, len);
                    } else if (as == 1) {
                        System.arraycopy(a, ai, out, o, len);
                    } else {
                        gatherRun(out, o, a, ai, as, len, p.gather());
                    }
                });
    }

    /** {@code out[o + i * os] = a[ai + i * as]} for {@code i < len}. */
    private static void stridedRun(float[] out, int o, int os, float[] a, int ai, int as, int len) {
        for (int i = 0; i < len; i++) out[o + i * os] = a[ai + i * as];
    }

    /** {@code out[o + i] = a[ai + i * as]} for {@code i < len}. */
    private static void gatherRun(float[] out, int o, float[] a, int ai, int as, int len, int[] gather) {
        int i = 0;
        for (int end = SimdMath.loopBound(len); i < end; i += L) {
            FloatVector.fromArray(F, a, ai + i * as, gather, 0).intoArray(out, o + i);
        }
        for (; i < len; i++) out[o + i] = a[ai + i * as];
    }

    /**
     * One unit of a transpose: rows {@code [r0, r0 + 16)} of the 2-d slice of one batch (the index over every other
     * dimension), where a row steps by 1 in the input and a column by the last stride:
     * {@code out[oBase + r * outRowStride + c] = a[aBase + r + c * colStride]}.
     */
    private static void transposeUnit(Plan p, float[] out, float[] a, int unit) {
        int[] shape = p.shape();
        int last = shape.length - 1, rowDim = p.rowDim();
        int cols = shape[last], colStride = p.strides()[last], outRowStride = p.outStrides()[rowDim];
        int rowBlocks = p.rowBlocks(), r0 = unit % rowBlocks * TILE_ROWS, r1 = Math.min(shape[rowDim], r0 + TILE_ROWS);
        int aBase = p.aOff(), oBase = p.outOff();
        for (int d = last - 1, b = unit / rowBlocks; d >= 0; d--) {
            if (d == rowDim) continue;
            int i = b % shape[d];
            b /= shape[d];
            aBase += i * p.strides()[d];
            oBase += i * p.outStrides()[d];
        }
        for (int c0 = 0; c0 < cols; c0 += TILE_COLS) {
            int c1 = Math.min(cols, c0 + TILE_COLS), vectorEnd = c0 + SimdMath.loopBound(c1 - c0);
            for (int r = r0; r < r1; r++) {
                int o = oBase + r * outRowStride, ai = aBase + r;
                int c = c0;
                for (; c < vectorEnd; c += L) {
                    FloatVector.fromArray(F, a, ai + c * colStride, p.gather(), 0).intoArray(out, o + c);
                }
                for (; c < c1; c++) out[o + c] = a[ai + c * colStride];
            }
        }
    }
}
