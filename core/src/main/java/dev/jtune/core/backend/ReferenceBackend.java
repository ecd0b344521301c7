package dev.jtune.core.backend;

import dev.jtune.core.kernels.ScalarAdamW;
import dev.jtune.core.memory.BufferPool;

import dev.jtune.core.kernels.ScalarElementwise;
import dev.jtune.core.kernels.ScalarIndex;
import dev.jtune.core.kernels.ScalarMatmul;
import dev.jtune.core.kernels.ScalarReduce;
import dev.jtune.core.kernels.ScalarSoftmax;

/**
 * The definition of correct: naive single-thread double-precision kernels, no SIMD.
 *
 * <p>F64 runs the kernels directly. F32 widens its arrays to double, runs the same kernels and rounds the output to
 * float once, so every F32 result is the double result correctly rounded (close to the exact value, and independent of
 * any float summation order). Slow on purpose; use it to check other backends and for gradient checks.
 */
public final class ReferenceBackend implements Backend {

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
        inDouble(out, a, null, (o, x, y) -> unary(op, o, x, aOff, n));
    }

    @Override
    public void unary(UnaryOp op, double[] out, double[] a, int aOff, int n) {
        ScalarElementwise.map(out, a, aOff, n, ScalarOps.of(op));
    }

    @Override
    public void binary(BinaryOp op, float[] out, float[] a, int aOff, int[] aStrides, float[] b, int bOff,
                       int[] bStrides, int[] shape) {
        inDouble(out, a, b, (o, x, y) -> binary(op, o, x, aOff, aStrides, y, bOff, bStrides, shape));
    }

    @Override
    public void binary(BinaryOp op, double[] out, double[] a, int aOff, int[] aStrides, double[] b, int bOff,
                       int[] bStrides, int[] shape) {
        ScalarElementwise.zip(out, a, aOff, aStrides, b, bOff, bStrides, shape, ScalarOps.of(op));
    }

    @Override
    public void copy(float[] out, float[] a, int aOff, int[] aStrides, int[] shape) {
        inDouble(out, a, null, (o, x, y) -> copy(o, x, aOff, aStrides, shape));
    }

    @Override
    public void copy(double[] out, double[] a, int aOff, int[] aStrides, int[] shape) {
        ScalarElementwise.copy(out, a, aOff, aStrides, shape);
    }

    @Override
    public void reduce(ReduceOp op, float[] out, float[] a, int outer, int r, int inner) {
        inDouble(out, a, null, (o, x, y) -> reduce(op, o, x, outer, r, inner));
    }

    @Override
    public void reduce(ReduceOp op, double[] out, double[] a, int outer, int r, int inner) {
        switch (op) {
            case SUM -> ScalarReduce.sum(out, a, outer, r, inner);
            case MAX -> ScalarReduce.max(out, a, outer, r, inner);
        }
    }

    @Override
    public void argmax(long[] out, float[] a, int outer, int r, int inner) {
        ScalarReduce.argmax(out, a, outer, r, inner);
    }

    @Override
    public void argmax(long[] out, double[] a, int outer, int r, int inner) {
        ScalarReduce.argmax(out, a, outer, r, inner);
    }

    @Override
    public void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                       float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        inDouble(out, a, b, (o, x, y) ->
                matmul(o, x, aOffsets, aRowStride, aColStride, y, bOffsets, bRowStride, bColStride, m, n, k));
    }

    @Override
    public void matmul(double[] out, double[] a, int[] aOffsets, int aRowStride, int aColStride,
                       double[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        ScalarMatmul.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n, k);
    }

    @Override
    public void softmax(float[] out, float[] a, int rows, int cols, boolean log) {
        inDouble(out, a, null, (o, x, y) -> softmax(o, x, rows, cols, log));
    }

    @Override
    public void softmax(double[] out, double[] a, int rows, int cols, boolean log) {
        ScalarSoftmax.forward(out, a, rows, cols, log);
    }

    @Override
    public void softmaxBackward(float[] gradIn, float[] g, float[] y, int rows, int cols, boolean log) {
        inDouble(gradIn, g, y, (o, x, z) -> softmaxBackward(o, x, z, rows, cols, log));
    }

    @Override
    public void softmaxBackward(double[] gradIn, double[] g, double[] y, int rows, int cols, boolean log) {
        ScalarSoftmax.backward(gradIn, g, y, rows, cols, log);
    }

    @Override
    public void indexSelect(float[] out, float[] a, int[] index, int outer, int dim, int inner) {
        inDouble(out, a, null, (o, x, y) -> indexSelect(o, x, index, outer, dim, inner));
    }

    @Override
    public void indexSelect(double[] out, double[] a, int[] index, int outer, int dim, int inner) {
        ScalarIndex.select(out, a, index, outer, dim, inner);
    }

    @Override
    public void indexAdd(float[] out, float[] src, int[] index, int outer, int dim, int inner) {
        inDouble(out, src, null, (o, x, y) -> indexAdd(o, x, index, outer, dim, inner));
    }

    @Override
    public void indexAdd(double[] out, double[] src, int[] index, int outer, int dim, int inner) {
        ScalarIndex.add(out, src, index, outer, dim, inner);
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

    @Override
    public void adamw(float[] p, float[] g, float[] m, float[] v, AdamWStep step) {
        ScalarAdamW.update(p, g, m, v, step, 0, p.length);
    }
}
