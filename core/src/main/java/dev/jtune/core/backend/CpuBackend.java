package dev.jtune.core.backend;

import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.ScalarElementwise;
import dev.jtune.core.kernels.ScalarIndex;
import dev.jtune.core.kernels.ScalarLoss;
import dev.jtune.core.kernels.ScalarReduce;
import dev.jtune.core.kernels.ScalarSelect;
import dev.jtune.core.kernels.Strided;
import dev.jtune.core.kernels.simd.SimdAdamW;
import dev.jtune.core.kernels.simd.SimdAttention;
import dev.jtune.core.kernels.simd.SimdBiasGelu;
import dev.jtune.core.kernels.simd.SimdBinary;
import dev.jtune.core.kernels.simd.SimdCopy;
import dev.jtune.core.kernels.simd.SimdIndex;
import dev.jtune.core.kernels.simd.SimdMatmul;
import dev.jtune.core.kernels.simd.SimdMatvec;
import dev.jtune.core.kernels.simd.SimdNorm;
import dev.jtune.core.kernels.simd.SimdProduct;
import dev.jtune.core.kernels.simd.SimdReduce;
import dev.jtune.core.kernels.simd.SimdSoftmax;
import dev.jtune.core.kernels.simd.SimdUnary;
import dev.jtune.core.memory.BufferPool;
import java.util.Arrays;

/**
 * The fast CPU backend: F32 kernels written with the Vector API ({@code dev.jtune.core.kernels.simd}) and split over
 * threads with {@link Parallel#forRange}, each thread writing disjoint outputs and each output computed in a fixed
 * order, so results are bit-for-bit the same for any thread count ({@code -Djtune.threads=N}). With
 * {@code -Djtune.simd=false} every kernel takes its scalar twin.
 *
 * <p>Results agree with {@link ReferenceBackend} to float rounding: the arithmetic ops, copies, gathers and
 * selections are bit-identical, the exp-based activations are within a few ulp, sums differ by float accumulation
 * order.
 */
public final class CpuBackend implements HostBackend {

    /** Elements one task should at least cover, so a thread's work outweighs handing it out. */
    private static final int GRAIN = 1 << 15;

    /** The kernel for the outputs {@code [o, from, to)} of a {@code [outer, inner]} split. */
    @FunctionalInterface
    private interface Segment {
        void run(int o, int from, int to);
    }

    private final BufferPool buffers = new BufferPool();

    @Override
    public BufferPool buffers() {
        return buffers;
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public String toString() {
        return name();
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public void unary(UnaryOp op, float[] out, float[] a, int aOff, int n) {
        Parallel.RangeBody body = switch (op) {
            case NEG -> (s, e) -> SimdUnary.neg(out, a, aOff, s, e);
            case ABS -> (s, e) -> SimdUnary.abs(out, a, aOff, s, e);
            case SQRT -> (s, e) -> SimdUnary.sqrt(out, a, aOff, s, e);
            case RELU -> (s, e) -> SimdUnary.relu(out, a, aOff, s, e);
            case EXP -> (s, e) -> SimdUnary.exp(out, a, aOff, s, e);
            case LOG -> (s, e) -> SimdUnary.log(out, a, aOff, s, e);
            case TANH -> (s, e) -> SimdUnary.tanh(out, a, aOff, s, e);
            case SIGMOID -> (s, e) -> SimdUnary.sigmoid(out, a, aOff, s, e);
            case SILU -> (s, e) -> SimdUnary.silu(out, a, aOff, s, e);
            case SILU_GRAD -> (s, e) -> SimdUnary.siluGrad(out, a, aOff, s, e);
            case GELU -> (s, e) -> SimdUnary.gelu(out, a, aOff, s, e);
            case GELU_GRAD -> (s, e) -> SimdUnary.geluGrad(out, a, aOff, s, e);
            case GELU_TANH -> (s, e) -> SimdUnary.geluTanh(out, a, aOff, s, e);
            case GELU_TANH_GRAD -> (s, e) -> SimdUnary.geluTanhGrad(out, a, aOff, s, e);
            default -> (s, e) -> ScalarElementwise.map(out, a, aOff, s, e, ScalarOps.of(op));
        };
        Parallel.forRange(n, GRAIN, body);
    }

    @Override
    public void binary(BinaryOp op, float[] out, float[] a, int aOff, int[] aStrides, float[] b, int bOff,
                       int[] bStrides, int[] shape) {
        int[][] c = Strided.collapse(shape, aStrides, bStrides); // {shape, aStrides, bStrides}
        int last = c[0].length - 1, as = c[1][last], bs = c[2][last];
        Strided.RunBody run = switch (op) {
            case ADD -> (o, ai, bi, len) -> SimdBinary.add(out, o, a, ai, as, b, bi, bs, len);
            case SUB -> (o, ai, bi, len) -> SimdBinary.sub(out, o, a, ai, as, b, bi, bs, len);
            case MUL -> (o, ai, bi, len) -> SimdBinary.mul(out, o, a, ai, as, b, bi, bs, len);
            case DIV -> (o, ai, bi, len) -> SimdBinary.div(out, o, a, ai, as, b, bi, bs, len);
            case MAXIMUM -> (o, ai, bi, len) -> SimdBinary.maximum(out, o, a, ai, as, b, bi, bs, len);
            case MINIMUM -> (o, ai, bi, len) -> SimdBinary.minimum(out, o, a, ai, as, b, bi, bs, len);
            case POW, EQ, GT -> (o, ai, bi, len) ->
                    ScalarElementwise.zipRun(out, o, a, ai, as, b, bi, bs, len, ScalarOps.of(op));
        };
        Parallel.forRange(Strided.numel(shape), GRAIN,
                (s, e) -> Strided.forEachRun(c[0], aOff, c[1], bOff, c[2], s, e, run));
    }

    /** Contiguous runs, tiled transposes or gathered runs, as {@link SimdCopy} plans them. */
    @Override
    public void copy(float[] out, int outOff, int[] outStrides, float[] a, int aOff, int[] aStrides, int[] shape) {
        SimdCopy.Plan plan = SimdCopy.plan(outOff, outStrides, aOff, aStrides, shape);
        Parallel.forRange(plan.units(), grain(plan.unitSize()), (s, e) -> SimdCopy.run(plan, out, a, s, e));
    }

    @Override
    public void fill(float[] out, int off, int n, float value) {
        Parallel.forRange(n, GRAIN, (s, e) -> Arrays.fill(out, off + s, off + e, value));
    }

    @Override
    public void reduce(ReduceOp op, float[] out, float[] a, int outer, int r, int inner) {
        int grain = grain(r);
        if (inner == 1) {
            Parallel.forRange(outer, grain, (s, e) -> {
                switch (op) {
                    case SUM -> SimdReduce.sumRows(out, a, r, s, e);
                    case MAX -> SimdReduce.maxRows(out, a, r, s, e);
                }
            });
        } else {
            Parallel.forRange(outer * inner, grain, (s, e) -> segments(inner, s, e, (o, from, to) -> {
                switch (op) {
                    case SUM -> SimdReduce.sumColumns(out, a, o, r, inner, from, to);
                    case MAX -> SimdReduce.maxColumns(out, a, o, r, inner, from, to);
                }
            }));
        }
    }

    @Override
    public void argmax(long[] out, float[] a, int outer, int r, int inner) {
        ScalarReduce.argmax(out, a, outer, r, inner);
    }

    @Override
    public void scatter(float[] out, float[] src, long[] index, int outer, int dim, int inner) {
        ScalarIndex.scatter(out, src, index, outer, dim, inner);
    }

    @Override
    public void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                       float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        SimdProduct.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n, k);
    }

    /**
     * Fused: B is converted as the kernel reads it (no F32 copy of the weight, half its bytes read), in the tiles'
     * packing, and for the few rows of a token being generated in the matrix-vector kernel (bf16; an F16 weight, rare,
     * is converted first there, HostBackend's composition).
     */
    @Override
    public void matmulHalfB(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride, short[] b,
                            boolean bf16, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        if (!SimdMatvec.faster(m, k, aColStride, bRowStride, bColStride)) {
            SimdMatmul.matmulHalfB(out, a, aOffsets, aRowStride, aColStride, b, bf16, bOffsets, bRowStride, bColStride,
                    m, n, k);
        } else if (bf16) {
            SimdMatvec.matmulBf16(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n,
                    k);
        } else {
            HostBackend.super.matmulHalfB(out, a, aOffsets, aRowStride, aColStride, b, false, bOffsets, bRowStride,
                    bColStride, m, n, k);
        }
    }

    @Override
    public void softmax(float[] out, float[] a, int rows, int cols, boolean log) {
        Parallel.forRange(rows, grain(cols), (s, e) -> SimdSoftmax.forward(out, a, cols, s, e, log));
    }

    /** Fused: each row's maximum and sum of exponentials, without writing the log-probabilities; the same bits. */
    @Override
    public void crossEntropy(float[] losses, float[] logits, int[] target, int ignoreIndex, int rows, int classes) {
        Parallel.forRange(rows, grain(classes),
                (s, e) -> SimdSoftmax.crossEntropy(losses, logits, target, ignoreIndex, classes, s, e));
    }

    /** Fused: one pass over the rows instead of HostBackend's exp and product passes, with the same bits. */
    @Override
    public void crossEntropyBackward(float[] grad, float[] g, int gStride, double gScale, int[] target,
                                     int ignoreIndex, int rows, int classes) {
        Parallel.forRange(rows, grain(classes), (s, e) ->
                SimdSoftmax.crossEntropyBackward(grad, g, gStride, gScale, target, ignoreIndex, classes, s, e));
    }

    @Override
    public void softmaxBackward(float[] gradIn, float[] g, float[] y, int rows, int cols, boolean log) {
        Parallel.forRange(rows, grain(cols), (s, e) -> SimdSoftmax.backward(gradIn, g, y, cols, s, e, log));
    }

    @Override
    public void indexSelect(float[] out, float[] a, int[] index, int outer, int dim, int inner) {
        Parallel.forRange(outer * index.length, grain(inner), (s, e) -> SimdIndex.select(out, a, index, dim, inner, s, e));
    }

    /** Split over output columns (never over j), so repeated indices accumulate in the same order on any split. */
    @Override
    public void indexAdd(float[] out, float[] src, int[] index, int outer, int dim, int inner) {
        Parallel.forRange(outer * inner, grain(index.length), (s, e) -> segments(inner, s, e,
                (o, from, to) -> SimdIndex.add(out, src, index, o, dim, inner, from, to)));
    }

    @Override
    public void where(float[] out, float[] condition, float[] a, float[] b, int n) {
        Parallel.forRange(n, GRAIN, (s, e) -> ScalarSelect.where(out, condition, a, b, s, e));
    }

    @Override
    public void triangle(float[] out, float[] a, int matrices, int rows, int cols, int diagonal, boolean upper) {
        Parallel.forRange(matrices * rows * cols, GRAIN,
                (s, e) -> ScalarSelect.triangle(out, a, rows, cols, diagonal, upper, s, e));
    }

    @Override
    public void nllLoss(float[] losses, float[] logProbs, int[] target, int ignoreIndex, int rows, int classes) {
        ScalarLoss.nll(losses, logProbs, target, ignoreIndex, rows, classes);
    }

    @Override
    public void attention(float[] out, float[] p, float[] q, float[] k, float[] v, AttentionMask mask,
                          int n, int tq, int tk, int hs, int hsv, KvLayout kv, float scale) {
        SimdAttention.forward(out, p, q, k, v, mask, n, tq, tk, hs, hsv, kv, scale);
    }

    @Override
    public void attentionBackward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p, float[] q, float[] k,
                                  float[] v, AttentionMask mask, int n, int tq, int tk, int hs, int hsv, float scale) {
        SimdAttention.backward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, scale);
    }

    @Override
    public void biasGelu(float[] out, float[] x, float[] bias, int rows, int cols, boolean tanh) {
        Parallel.forRange(rows, grain(cols), (s, e) -> SimdBiasGelu.forward(out, x, bias, cols, s, e, tanh));
    }

    /** dx row by row, then the bias gradient as {@link #reduce} sums columns: the composition's bits. */
    @Override
    public void biasGeluBackward(float[] dx, float[] dbias, float[] g, float[] x, float[] bias, int rows, int cols,
                                 boolean tanh) {
        Parallel.forRange(rows, grain(cols), (s, e) -> SimdBiasGelu.backward(dx, g, x, bias, cols, s, e, tanh));
        reduce(ReduceOp.SUM, dbias, dx, 1, rows, cols);
    }

    /** Fused: one parallel loop over the rows, each row done while in L1 ({@link SimdNorm}); the same bits. */
    @Override
    public void layerNorm(float[] out, float[] mean, float[] rstd, float[] x, float[] weight, float[] bias, int rows,
                          int cols, float eps) {
        Parallel.forRange(rows, grain(cols),
                (s, e) -> SimdNorm.layerNorm(out, mean, rstd, x, weight, bias, cols, eps, s, e));
    }

    /** Fused as {@link #layerNorm}. */
    @Override
    public void rmsNorm(float[] out, float[] rstd, float[] x, float[] weight, int rows, int cols, float eps) {
        Parallel.forRange(rows, grain(cols), (s, e) -> SimdNorm.rmsNorm(out, rstd, x, weight, cols, eps, s, e));
    }

    /**
     * The blocks in parallel, each in its eight partial sums (vectorised), then added in block order on this thread:
     * the reference's bits on any thread count.
     */
    @Override
    public double sumOfSquares(float[] a, int n) {
        double[] partial = new double[ScalarReduce.squaresBlocks(n)];
        Parallel.forRange(partial.length, 1, (from, to) -> {
            for (int b = from; b < to; b++) partial[b] = SimdReduce.sumOfSquares(a, n, b);
        });
        double sum = 0;
        for (double s : partial) sum += s;
        return sum;
    }

    /** How many items of {@code work} elements each make a task worth a thread. */
    private static int grain(int work) {
        return Math.max(1, GRAIN / Math.max(1, work));
    }

    /** Runs {@code body} over the flat outputs {@code [start, end)} of {@code [outer, inner]}, one {@code o} at a time. */
    private static void segments(int inner, int start, int end, Segment body) {
        for (int p = start; p < end; ) {
            int o = p / inner, i = p % inner, len = Math.min(inner - i, end - p);
            body.run(o, i, i + len);
            p += len;
        }
    }

    @Override
    public void adamw(float[] p, float[] g, float[] m, float[] v, int n, AdamWStep step) {
        Parallel.forRange(n, GRAIN, (from, to) -> SimdAdamW.update(p, g, m, v, step, from, to));
    }
}
