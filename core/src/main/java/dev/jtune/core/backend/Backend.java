package dev.jtune.core.backend;

import dev.jtune.core.memory.BufferPool;
import dev.jtune.core.memory.DeviceMemory;

/**
 * The compute kernels the tensor ops dispatch to, over flat arrays (kernels never see a {@code Tensor}).
 *
 * <p>Every method exists for F32 ({@code float[]}) and F64 ({@code double[]}). Outputs come first, then inputs, then
 * dimensions; outputs are contiguous and written from index 0 unless an offset is given; kernels do not allocate
 * arrays that outlive the call. Inputs are read through an offset and strides where noted. Every backend computes the
 * same function as {@link ReferenceBackend}, and a backend's results never depend on its thread count.
 */
public interface Backend {

    /** A short name, chosen with {@code -Djtune.backend=NAME}. */
    String name();

    /** Higher wins when no backend is named; the reference backend is 0. */
    int priority();

    /** The allocator that owns this backend's buffers: tensors' storages come from it and go back to it. */
    BufferPool buffers();

    /**
     * The device memory F32 tensors live in while this backend is current, with host copies made only on request
     * (see {@link dev.jtune.core.Storage}); null for a backend whose kernels work on host arrays (the CPU backends).
     */
    default DeviceMemory device() {
        return null;
    }

    /** {@code out[i] = op(a[aOff + i])} for {@code i < n}; {@code out} may be {@code a} when {@code aOff} is 0. */
    void unary(UnaryOp op, float[] out, float[] a, int aOff, int n);

    void unary(UnaryOp op, double[] out, double[] a, int aOff, int n);

    /**
     * {@code out[idx] = op(a[idx], b[idx])} over a contiguous {@code out} of the given shape; {@code a} and {@code b}
     * are read at {@code off + sum(idx[d] * strides[d])} (a stride of 0 broadcasts).
     */
    void binary(BinaryOp op, float[] out, float[] a, int aOff, int[] aStrides, float[] b, int bOff, int[] bStrides,
                int[] shape);

    void binary(BinaryOp op, double[] out, double[] a, int aOff, int[] aStrides, double[] b, int bOff,
                int[] bStrides, int[] shape);

    /** {@code out[idx] = a[aOff + sum(idx[d] * aStrides[d])]}: a strided view copied into a contiguous array. */
    void copy(float[] out, float[] a, int aOff, int[] aStrides, int[] shape);

    void copy(double[] out, double[] a, int aOff, int[] aStrides, int[] shape);

    /**
     * {@code out[o, i] = op over j of a[o, j, i]} for a contiguous {@code a: [outer, r, inner]}; SUM of r=0 is 0, MAX of
     * r=0 is -inf, and MAX propagates NaN.
     */
    void reduce(ReduceOp op, float[] out, float[] a, int outer, int r, int inner);

    void reduce(ReduceOp op, double[] out, double[] a, int outer, int r, int inner);

    /**
     * {@code out[o, i] = the first j maximizing a[o, j, i]} (NaN counts as the maximum, as in PyTorch); needs
     * {@code r >= 1} (the op layer rejects argmax over an empty dimension).
     */
    void argmax(long[] out, float[] a, int outer, int r, int inner);

    void argmax(long[] out, double[] a, int outer, int r, int inner);

    /**
     * Batched matrix product {@code out[p] = A[p] @ B[p]}: {@code out} is contiguous {@code [batch, m, n]};
     * {@code A[p][i][l] = a[aOffsets[p] + i * aRowStride + l * aColStride]} ({@code m x k}), likewise B ({@code k x n}),
     * so transposed operands need no copy. {@code batch = aOffsets.length = bOffsets.length}.
     */
    void matmul(float[] out, float[] a, int[] aOffsets, int aRowStride, int aColStride,
                float[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k);

    void matmul(double[] out, double[] a, int[] aOffsets, int aRowStride, int aColStride,
                double[] b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k);

    /**
     * Row-wise softmax (or log-softmax) of a contiguous {@code a: [rows, cols]}, with the row maximum subtracted
     * first; as in PyTorch, a row of all -inf (or holding +inf or NaN) comes out all NaN. {@code out} may be {@code a}.
     */
    void softmax(float[] out, float[] a, int rows, int cols, boolean log);

    void softmax(double[] out, double[] a, int rows, int cols, boolean log);

    /**
     * The input gradient of a row-wise softmax given its output {@code y} and the output gradient {@code g}:
     * softmax: {@code y * (g - sum(g * y))}; log-softmax: {@code g - exp(y) * sum(g)}.
     */
    void softmaxBackward(float[] gradIn, float[] g, float[] y, int rows, int cols, boolean log);

    void softmaxBackward(double[] gradIn, double[] g, double[] y, int rows, int cols, boolean log);

    /**
     * Gather along the middle axis: {@code out[o, j, i] = a[o, index[j], i]} for contiguous
     * {@code a: [outer, dim, inner]} and {@code out: [outer, index.length, inner]}; indices are already checked.
     */
    void indexSelect(float[] out, float[] a, int[] index, int outer, int dim, int inner);

    void indexSelect(double[] out, double[] a, int[] index, int outer, int dim, int inner);

    /**
     * Scatter-add, the backward of {@link #indexSelect}: {@code out[o, index[j], i] += src[o, j, i]}, accumulating
     * repeated indices in increasing {@code j} order (deterministic).
     */
    void indexAdd(float[] out, float[] src, int[] index, int outer, int dim, int inner);

    void indexAdd(double[] out, double[] src, int[] index, int outer, int dim, int inner);

    /**
     * One AdamW update of a parameter {@code p} with gradient {@code g} and moments {@code m}, {@code v} (all of the
     * same length), in place: see {@link AdamWStep}. Each element is updated on its own, so any split is exact.
     */
    void adamw(float[] p, float[] g, float[] m, float[] v, AdamWStep step);

    /**
     * GELU of a biased input, fused for GPT-2's MLP: {@code out[r, c] = gelu(x[r, c] + bias[c])} for contiguous
     * {@code x: [rows, cols]} and {@code bias: [cols]}, with the tanh approximation (gelu_new) when {@code tanh}. The
     * default is the composition (an add, then the activation in place); a backend may fuse it but must give the same
     * function.
     */
    default void biasGelu(float[] out, float[] x, float[] bias, int rows, int cols, boolean tanh) {
        binary(BinaryOp.ADD, out, x, 0, new int[] {cols, 1}, bias, 0, new int[] {0, 1}, new int[] {rows, cols});
        unary(tanh ? UnaryOp.GELU_TANH : UnaryOp.GELU, out, out, 0, rows * cols);
    }

    default void biasGelu(double[] out, double[] x, double[] bias, int rows, int cols, boolean tanh) {
        binary(BinaryOp.ADD, out, x, 0, new int[] {cols, 1}, bias, 0, new int[] {0, 1}, new int[] {rows, cols});
        unary(tanh ? UnaryOp.GELU_TANH : UnaryOp.GELU, out, out, 0, rows * cols);
    }

    /**
     * The backward of {@link #biasGelu}: {@code dx[r, c] = g[r, c] * gelu'(x[r, c] + bias[c])} and
     * {@code dbias[c] = sum over r of dx[r, c]}, summed in increasing r; all arrays contiguous. The default is the
     * composition: add, the derivative and the product in place in dx, then a column sum.
     */
    default void biasGeluBackward(float[] dx, float[] dbias, float[] g, float[] x, float[] bias, int rows, int cols,
                                  boolean tanh) {
        int[] shape = {rows, cols}, dense = {cols, 1};
        binary(BinaryOp.ADD, dx, x, 0, dense, bias, 0, new int[] {0, 1}, shape);
        unary(tanh ? UnaryOp.GELU_TANH_GRAD : UnaryOp.GELU_GRAD, dx, dx, 0, rows * cols);
        binary(BinaryOp.MUL, dx, dx, 0, dense, g, 0, dense, shape);
        reduce(ReduceOp.SUM, dbias, dx, 1, rows, cols);
    }

    default void biasGeluBackward(double[] dx, double[] dbias, double[] g, double[] x, double[] bias, int rows,
                                  int cols, boolean tanh) {
        int[] shape = {rows, cols}, dense = {cols, 1};
        binary(BinaryOp.ADD, dx, x, 0, dense, bias, 0, new int[] {0, 1}, shape);
        unary(tanh ? UnaryOp.GELU_TANH_GRAD : UnaryOp.GELU_GRAD, dx, dx, 0, rows * cols);
        binary(BinaryOp.MUL, dx, dx, 0, dense, g, 0, dense, shape);
        reduce(ReduceOp.SUM, dbias, dx, 1, rows, cols);
    }
}
