package dev.jtune.core.backend;

import dev.jtune.core.kernels.ScalarAdamW;
import dev.jtune.core.kernels.ScalarAttention;
import dev.jtune.core.kernels.ScalarReduce;
import dev.jtune.core.memory.BufferPool;
import java.util.Arrays;

/**
 * The definition of correct: naive single-thread double-precision kernels, no SIMD.
 *
 * <p>Each F32 method widens its arrays to double, runs the method's F64 twin ({@link F64Kernels}, the same kernels
 * F64 tensors run on) and rounds the output to float once, so every F32 result is the double result correctly rounded
 * (close to the exact value, and independent of any float summation order). Slow on purpose; use it to check other
 * backends and for gradient checks.
 */
public final class ReferenceBackend implements HostBackend {

    /** A kernel over the widened output and up to two widened inputs. */
    @FunctionalInterface
    private interface DoubleKernel {
        void run(double[] out, double[] a, double[] b);
    }

    private final BufferPool buffers = new BufferPool();

    @Override
    public BufferPool buffers() {
        return buffers;
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String toString() {
        return name();
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public void unary(UnaryOp op, float[] out, float[] a, int aOff, int n) {
        inDouble(out, a, null, (o, x, y) -> F64Kernels.unary(op, o, x, aOff, n));
    }

    @Override
    public void binary(BinaryOp op, float[] out, float[] a, int aOff, int[] aStrides, float[] b, int bOff,
                       int[] bStrides, int[] shape) {
        inDouble(out, a, b, (o, x, y) -> F64Kernels.binary(op, o, x, aOff, aStrides, y, bOff, bStrides, shape));
    }

    @Override
    public void copy(float[] out, int outOff, int[] outStrides, float[] a, int aOff, int[] aStrides, int[] shape) {
        inDouble(out, a, null, (o, x, y) -> F64Kernels.copy(o, outOff, outStrides, x, aOff, aStrides, shape));
    }

    /** Exact in float: no widening. */
    @Override
    public void fill(float[] out, int off, int n, float value) {
        Arrays.fill(out, off, off + n, value);
    }

    @Override
    public void reduce(ReduceOp op, float[] out, float[] a, int outer, int r, int inner) {
        inDouble(out, a, null, (o, x, y) -> F64Kernels.reduce(op, o, x, outer, r, inner));
    }

    /** Comparisons are exact in float: no widening. */
    @Override
    public void argmax(long[] out, float[] a, int outer, int r, int inner) {
        ScalarReduce.argmax(out, a, outer, r, inner);
    }

    @Override
    public void scatter(float[] out, float[] src, long[] index, int outer, int dim, int inner) {
        inDouble(out, src, null, (o, x, y) -> F64Kernels.scatter(o, x, index, outer, dim, inner));
    }

    @Override
    public void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                       float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        inDouble(out, a, b, (o, x, y) ->
                F64Kernels.matmul(o, x, aOffsets, aRowStride, aColStride, y, bOffsets, bRowStride, bColStride, m, n, k));
    }

    @Override
    public void softmax(float[] out, float[] a, int rows, int cols, boolean log) {
        inDouble(out, a, null, (o, x, y) -> F64Kernels.softmax(o, x, rows, cols, log));
    }

    @Override
    public void softmaxBackward(float[] gradIn, float[] g, float[] y, int rows, int cols, boolean log) {
        inDouble(gradIn, g, y, (o, x, z) -> F64Kernels.softmaxBackward(o, x, z, rows, cols, log));
    }

    @Override
    public void indexSelect(float[] out, float[] a, int[] index, int outer, int dim, int inner) {
        inDouble(out, a, null, (o, x, y) -> F64Kernels.indexSelect(o, x, index, outer, dim, inner));
    }

    @Override
    public void indexAdd(float[] out, float[] src, int[] index, int outer, int dim, int inner) {
        inDouble(out, src, null, (o, x, y) -> F64Kernels.indexAdd(o, x, index, outer, dim, inner));
    }

    @Override
    public void where(float[] out, float[] condition, float[] a, float[] b, int n) {
        double[] c = widen(condition);
        inDouble(out, a, b, (o, x, y) -> F64Kernels.where(o, c, x, y, n));
    }

    @Override
    public void triangle(float[] out, float[] a, int matrices, int rows, int cols, int diagonal, boolean upper) {
        inDouble(out, a, null, (o, x, y) -> F64Kernels.triangle(o, x, matrices, rows, cols, diagonal, upper));
    }

    @Override
    public void nllLoss(float[] losses, float[] logProbs, int[] target, int ignoreIndex, int rows, int classes) {
        inDouble(losses, logProbs, null, (o, x, y) -> F64Kernels.nllLoss(o, x, target, ignoreIndex, rows, classes));
    }

    /** {@link ScalarAttention}'s F32 entry points widen and round as {@link #inDouble} does. */
    @Override
    public void attention(float[] out, float[] p, float[] q, float[] k, float[] v, AttentionMask mask,
                          int n, int tq, int tk, int hs, int hsv, KvLayout kv, float scale) {
        ScalarAttention.forward(out, p, q, k, v, mask, n, tq, tk, hs, hsv, kv, scale);
    }

    @Override
    public void attentionBackward(float[] dq, float[] dk, float[] dv, float[] dout, float[] p, float[] q, float[] k,
                                  float[] v, AttentionMask mask, int n, int tq, int tk, int hs, int hsv, float scale) {
        ScalarAttention.backward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, scale);
    }

    @Override
    public void adamw(float[] p, float[] g, float[] m, float[] v, int n, AdamWStep step) {
        ScalarAdamW.update(p, g, m, v, step, 0, n);
    }

    /** Exact widening, so the F64 twin's result as it is: no rounding to float. */
    @Override
    public double sumOfSquares(float[] a, int n) {
        return F64Kernels.sumOfSquares(widen(a), n);
    }

    /**
     * Runs a double kernel on float arrays: widens {@code out} (so accumulating kernels see its values and unwritten
     * elements survive) and the inputs ({@code b} may be null), runs, and rounds {@code out} back once.
     */
    private static void inDouble(float[] out, float[] a, float[] b, DoubleKernel kernel) {
        double[] wide = widen(out);
        kernel.run(wide, widen(a), b == null ? null : widen(b));
        for (int i = 0; i < out.length; i++) out[i] = (float) wide[i];
    }

    private static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return d;
    }
}
