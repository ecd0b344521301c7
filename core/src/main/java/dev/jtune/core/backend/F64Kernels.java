package dev.jtune.core.backend;

import dev.jtune.core.kernels.ScalarAttention;
import dev.jtune.core.kernels.ScalarElementwise;
import dev.jtune.core.kernels.ScalarIndex;
import dev.jtune.core.kernels.ScalarLoss;
import dev.jtune.core.kernels.ScalarMatmul;
import dev.jtune.core.kernels.ScalarReduce;
import dev.jtune.core.kernels.ScalarSelect;
import dev.jtune.core.kernels.ScalarSoftmax;
import java.util.Arrays;

/**
 * The F64 twin of every {@link Backend} method, with the same contract over {@code double[]}: the naive scalar
 * kernels, single-threaded. F64 is the reference and gradient-check dtype, not a speed path, so no backend implements
 * it: the op layer runs F64 tensors here, and {@link ReferenceBackend} runs its F32 inputs here widened to double.
 */
public final class F64Kernels {

    private F64Kernels() {}

    /** See {@link Backend#unary}. */
    public static void unary(UnaryOp op, double[] out, double[] a, int aOff, int n) {
        ScalarElementwise.map(out, a, aOff, n, ScalarOps.of(op));
    }

    /** See {@link Backend#binary}. */
    public static void binary(BinaryOp op, double[] out, double[] a, int aOff, int[] aStrides, double[] b, int bOff,
                              int[] bStrides, int[] shape) {
        ScalarElementwise.zip(out, a, aOff, aStrides, b, bOff, bStrides, shape, ScalarOps.of(op));
    }

    /** See {@link Backend#copy}. */
    public static void copy(double[] out, int outOff, int[] outStrides, double[] a, int aOff, int[] aStrides,
                            int[] shape) {
        ScalarElementwise.copy(out, outOff, outStrides, a, aOff, aStrides, shape);
    }

    /** See {@link Backend#fill}. */
    public static void fill(double[] out, int off, int n, double value) {
        Arrays.fill(out, off, off + n, value);
    }

    /** See {@link Backend#reduce}. */
    public static void reduce(ReduceOp op, double[] out, double[] a, int outer, int r, int inner) {
        switch (op) {
            case SUM -> ScalarReduce.sum(out, a, outer, r, inner);
            case MAX -> ScalarReduce.max(out, a, outer, r, inner);
        }
    }

    /** See {@link Backend#argmax}. */
    public static void argmax(long[] out, double[] a, int outer, int r, int inner) {
        ScalarReduce.argmax(out, a, outer, r, inner);
    }

    /** See {@link Backend#scatter}. */
    public static void scatter(double[] out, double[] src, long[] index, int outer, int dim, int inner) {
        ScalarIndex.scatter(out, src, index, outer, dim, inner);
    }

    /** See {@link Backend#matmul}. */
    public static void matmul(double[] out, double[] a, int[] aOffsets, int aRowStride, int aColStride,
                              double[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k) {
        ScalarMatmul.matmul(out, a, aOffsets, aRowStride, aColStride, b, bOffsets, bRowStride, bColStride, m, n, k);
    }

    /** See {@link Backend#softmax}. */
    public static void softmax(double[] out, double[] a, int rows, int cols, boolean log) {
        ScalarSoftmax.forward(out, a, rows, cols, log);
    }

    /** See {@link Backend#softmaxBackward}. */
    public static void softmaxBackward(double[] gradIn, double[] g, double[] y, int rows, int cols, boolean log) {
        ScalarSoftmax.backward(gradIn, g, y, rows, cols, log);
    }

    /** See {@link Backend#indexSelect}. */
    public static void indexSelect(double[] out, double[] a, int[] index, int outer, int dim, int inner) {
        ScalarIndex.select(out, a, index, outer, dim, inner);
    }

    /** See {@link Backend#indexAdd}. */
    public static void indexAdd(double[] out, double[] src, int[] index, int outer, int dim, int inner) {
        ScalarIndex.add(out, src, index, outer, dim, inner);
    }

    /** See {@link Backend#where}. */
    public static void where(double[] out, double[] condition, double[] a, double[] b, int n) {
        ScalarSelect.where(out, condition, a, b, 0, n);
    }

    /** See {@link Backend#triangle}. */
    public static void triangle(double[] out, double[] a, int matrices, int rows, int cols, int diagonal,
                                boolean upper) {
        ScalarSelect.triangle(out, a, rows, cols, diagonal, upper, 0, matrices * rows * cols);
    }

    /** See {@link Backend#crossEntropy}: the composition, in double. */
    public static void crossEntropy(double[] losses, double[] logits, int[] target, int ignoreIndex, int rows,
                                    int classes) {
        double[] logProbs = new double[rows * classes];  // (rows, classes)
        softmax(logProbs, logits, rows, classes, true);
        nllLoss(losses, logProbs, target, ignoreIndex, rows, classes);
    }

    /** See {@link Backend#nllLoss}. */
    public static void nllLoss(double[] losses, double[] logProbs, int[] target, int ignoreIndex, int rows,
                               int classes) {
        ScalarLoss.nll(losses, logProbs, target, ignoreIndex, rows, classes);
    }

    /** See {@link Backend#crossEntropyBackward}; in double throughout. */
    public static void crossEntropyBackward(double[] grad, double[] g, int gStride, double gScale, int[] target,
                                            int ignoreIndex, int rows, int classes) {
        ScalarLoss.crossEntropyBackward(grad, g, gStride, gScale, target, ignoreIndex, rows, classes);
    }

    /** See {@link Backend#attention}; masked scores get the lowest double. */
    public static void attention(double[] out, double[] p, double[] q, double[] k, double[] v, AttentionMask mask,
                                 int n, int tq, int tk, int hs, int hsv, KvLayout kv, double scale) {
        ScalarAttention.forward(out, p, q, k, v, mask, n, tq, tk, hs, hsv, kv, scale);
    }

    /** See {@link Backend#attentionBackward}. */
    public static void attentionBackward(double[] dq, double[] dk, double[] dv, double[] dout, double[] p,
                                         double[] q, double[] k, double[] v, AttentionMask mask, int n, int tq,
                                         int tk, int hs, int hsv, double scale) {
        ScalarAttention.backward(dq, dk, dv, dout, p, q, k, v, mask, n, tq, tk, hs, hsv, scale);
    }

    /** See {@link Backend#sumOfSquares}: eight partial sums within each block, the blocks in order. */
    public static double sumOfSquares(double[] a, int n) {
        return ScalarReduce.sumOfSquares(a, n);
    }

    /** See {@link Backend#biasGelu}: the composition, an add then the activation in place. */
    public static void biasGelu(double[] out, double[] x, double[] bias, int rows, int cols, boolean tanh) {
        binary(BinaryOp.ADD, out, x, 0, new int[] {cols, 1}, bias, 0, new int[] {0, 1}, new int[] {rows, cols});
        unary(tanh ? UnaryOp.GELU_TANH : UnaryOp.GELU, out, out, 0, rows * cols);
    }

    /** See {@link Backend#biasGeluBackward}: the composition, add, derivative and product in dx, then a column sum. */
    public static void biasGeluBackward(double[] dx, double[] dbias, double[] g, double[] x, double[] bias, int rows,
                                        int cols, boolean tanh) {
        int[] shape = {rows, cols}, dense = {cols, 1};
        binary(BinaryOp.ADD, dx, x, 0, dense, bias, 0, new int[] {0, 1}, shape);
        unary(tanh ? UnaryOp.GELU_TANH_GRAD : UnaryOp.GELU_GRAD, dx, dx, 0, rows * cols);
        binary(BinaryOp.MUL, dx, dx, 0, dense, g, 0, dense, shape);
        reduce(ReduceOp.SUM, dbias, dx, 1, rows, cols);
    }

    /** See {@link Backend#layerNorm}: the composition, row by row, each sum in increasing order. */
    public static void layerNorm(double[] out, double[] mean, double[] rstd, double[] x, double[] weight,
                                 double[] bias, int rows, int cols, double eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double sum = 0, squares = 0;
            for (int c = 0; c < cols; c++) sum += x[o + c];
            mean[r] = sum / cols;
            for (int c = 0; c < cols; c++) squares += (x[o + c] - mean[r]) * (x[o + c] - mean[r]);
            rstd[r] = 1 / Math.sqrt(squares / cols + eps);
            for (int c = 0; c < cols; c++) out[o + c] = affine((x[o + c] - mean[r]) * rstd[r], weight, bias, c);
        }
    }

    /** See {@link Backend#rmsNorm}: the composition, row by row, the sum in increasing order. */
    public static void rmsNorm(double[] out, double[] rstd, double[] x, double[] weight, int rows, int cols,
                               double eps) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double squares = 0;
            for (int c = 0; c < cols; c++) squares += x[o + c] * x[o + c];
            rstd[r] = 1 / Math.sqrt(squares / cols + eps);
            for (int c = 0; c < cols; c++) out[o + c] = affine(x[o + c] * rstd[r], weight, null, c);
        }
    }

    /** {@code y * weight[c] + bias[c]}, each step skipped when its parameter is null. */
    private static double affine(double y, double[] weight, double[] bias, int c) {
        double scaled = weight == null ? y : y * weight[c];
        return bias == null ? scaled : scaled + bias[c];
    }
}
