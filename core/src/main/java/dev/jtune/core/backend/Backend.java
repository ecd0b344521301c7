package dev.jtune.core.backend;

import dev.jtune.core.memory.BufferPool;
import dev.jtune.core.memory.DeviceMemory;
import java.util.List;

/**
 * The F32 compute kernels the tensor ops dispatch to, over flat buffers of type {@code B} (kernels never see a
 * {@code Tensor}): {@code float[]} for the CPU backends ({@link HostBackend}), a device buffer for a backend with
 * {@link #device() device memory}, whose storages hand their buffer to the kernels ({@code Storage.kernelBuffer()}). F64 is the reference and gradient-check dtype, not a backend's business: the op layer runs F64
 * tensors on {@link F64Kernels}, the double twin of every method here.
 *
 * <p>Outputs come first, then inputs, then dimensions; outputs are contiguous and written from index 0 unless an offset
 * (and strides) are given; kernels do not allocate arrays that outlive the call. Inputs are read through an offset and
 * strides where noted. Every backend computes the same function as {@link ReferenceBackend}, and a backend's results
 * never depend on its thread count.
 */
public interface Backend<B> {

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

    /** The devices this backend can run on, one line each, for {@code ./jtune info}; none for the CPU backends. */
    default List<String> devices() {
        return List.of();
    }

    /** {@code out[i] = op(a[aOff + i])} for {@code i < n}; {@code out} may be {@code a} when {@code aOff} is 0. */
    void unary(UnaryOp op, B out, B a, int aOff, int n);

    /**
     * {@code out[idx] = op(a[idx], b[idx])} over a contiguous {@code out} of the given shape; {@code a} and {@code b}
     * are read at {@code off + sum(idx[d] * strides[d])} (a stride of 0 broadcasts).
     */
    void binary(BinaryOp op, B out, B a, int aOff, int[] aStrides, B b, int bOff, int[] bStrides,
                int[] shape);

    /**
     * {@code out[outOff + sum(idx[d] * outStrides[d])] = a[aOff + sum(idx[d] * aStrides[d])]} for every index of
     * {@code shape}: a strided view copied into a strided view, exactly (a stride of 0 in {@code aStrides} broadcasts).
     * The destination's strides must address each of its elements once (no stride 0 over a dimension longer than 1),
     * and {@code out} may be {@code a} only if no element is written that is read for another index (the views are
     * disjoint, or each element is copied onto itself); the op layer copies a source that shares the destination's
     * storage first. Other elements of {@code out} are left as they are.
     */
    void copy(B out, int outOff, int[] outStrides, B a, int aOff, int[] aStrides, int[] shape);

    /** {@code out[off + i] = value} for {@code i < n}, leaving the rest of {@code out} as it is. */
    void fill(B out, int off, int n, float value);

    /**
     * {@code out[o, i] = op over j of a[o, j, i]} for a contiguous {@code a: [outer, r, inner]}; SUM of r=0 is 0, MAX of
     * r=0 is -inf, and MAX propagates NaN.
     */
    void reduce(ReduceOp op, B out, B a, int outer, int r, int inner);

    /**
     * {@code out[o, i] = the first j maximizing a[o, j, i]} (NaN counts as the maximum, as in PyTorch); needs
     * {@code r >= 1} (the op layer rejects argmax over an empty dimension).
     */
    void argmax(long[] out, B a, int outer, int r, int inner);

    /**
     * The backward of a max along the middle axis: {@code out[o, index[o, i], i] = src[o, i]} for {@code src} and
     * {@code index: [outer, inner]} into a contiguous {@code out: [outer, dim, inner]}, leaving its other elements as
     * they are; indices are in {@code [0, dim)} (an {@link #argmax} result).
     */
    void scatter(B out, B src, long[] index, int outer, int dim, int inner);

    /**
     * Batched matrix product {@code out[p] = A[p] @ B[p]}: {@code out} is contiguous {@code [batch, m, n]};
     * {@code A[p][i][l] = a[aOffsets[p] + i * aRowStride + l * aColStride]} ({@code m x k}), likewise B ({@code k x n}),
     * so transposed operands need no copy. {@code batch = aOffsets.length = bOffsets.length}.
     */
    void matmul(B out, B a, int[] aOffsets, int aRowStride, int aColStride,
                B b, int[] bOffsets, int bRowStride, int bColStride, int m, int n, int k);

    /**
     * Row-wise softmax (or log-softmax) of a contiguous {@code a: [rows, cols]}, with the row maximum subtracted
     * first; as in PyTorch, a row of all -inf (or holding +inf or NaN) comes out all NaN. {@code out} may be {@code a}.
     */
    void softmax(B out, B a, int rows, int cols, boolean log);

    /**
     * The input gradient of a row-wise softmax given its output {@code y} and the output gradient {@code g}:
     * softmax: {@code y * (g - sum(g * y))}; log-softmax: {@code g - exp(y) * sum(g)}.
     */
    void softmaxBackward(B gradIn, B g, B y, int rows, int cols, boolean log);

    /**
     * Gather along the middle axis: {@code out[o, j, i] = a[o, index[j], i]} for contiguous
     * {@code a: [outer, dim, inner]} and {@code out: [outer, index.length, inner]}; indices are already checked.
     */
    void indexSelect(B out, B a, int[] index, int outer, int dim, int inner);

    /**
     * Scatter-add, the backward of {@link #indexSelect}: {@code out[o, index[j], i] += src[o, j, i]}, accumulating
     * repeated indices in increasing {@code j} order (deterministic).
     */
    void indexAdd(B out, B src, int[] index, int outer, int dim, int inner);

    /** {@code out[i] = condition[i] != 0 ? a[i] : b[i]} for {@code i < n}, all four contiguous (torch.where). */
    void where(B out, B condition, B a, B b, int n);

    /**
     * torch.triu / tril of a contiguous {@code a: [matrices, rows, cols]}: {@code out[m, r, c] = a[m, r, c]} where
     * {@code c - r >= diagonal} (upper) or {@code c - r <= diagonal} (lower), else 0.
     */
    void triangle(B out, B a, int matrices, int rows, int cols, int diagonal, boolean upper);

    /**
     * Cross-entropy's per-row loss (nll_loss without reduction) from the log-probabilities
     * {@code logProbs: [rows, classes]}: {@code losses[i] = -logProbs[i, target[i]]}, and 0 where
     * {@code target[i] == ignoreIndex}; other targets are already checked to lie in {@code [0, classes)}.
     */
    void nllLoss(B losses, B logProbs, int[] target, int ignoreIndex, int rows, int classes);

    /**
     * Cross-entropy's per-row loss straight from the logits {@code logits: [rows, classes]}, for a forward pass that
     * keeps nothing for backward: {@code losses[i] = -log_softmax(logits[i])[target[i]]}, 0 where
     * {@code target[i] == ignoreIndex}. The same bits as {@link #softmax} (log) then {@link #nllLoss} on this backend
     * ({@link HostBackend} has that composition); a backend may skip writing the log-probabilities.
     */
    void crossEntropy(B losses, B logits, int[] target, int ignoreIndex, int rows, int classes);

    /**
     * Cross-entropy's backward, in place over the forward's log-probabilities {@code grad: [rows, classes]}:
     * {@code grad[i, j] = exp(grad[i, j]) * s_i - (j == target[i] ? s_i : 0)}, with row i's loss gradient
     * {@code s_i = g[i * gStride] * gScale} in double ({@code gStride} 0 broadcasts one upstream gradient; {@code gScale}
     * is 1/count for a mean) and {@code s_i = 0} where {@code target[i] == ignoreIndex}. The default is the composition
     * the result is defined by: exp in place, a float product with {@code (float) s_i}, then the subtraction at the
     * target in double, rounded once ({@link HostBackend} has it); a backend may fuse it but must give the same function.
     */
    void crossEntropyBackward(B grad, B g, int gStride, double gScale, int[] target, int ignoreIndex,
                              int rows, int classes);

    /**
     * Fused scaled-dot-product attention {@code out = dropout(softmax(mask(q k^T * scale))) v} over {@code N = B * H}
     * matrices: {@code q [N, Tq, hs]}, {@code k [N, Tk, hs]}, {@code v [N, Tk, hsv]}, {@code out [N, Tq, hsv]}; masked
     * scores get the lowest float before the softmax (a fully masked row comes out uniform). Stores the softmax weights
     * (before dropout) in {@code p [N, Tq, Tk]} unless it is null. The function of the composed ops (matmul, mul,
     * masked_fill, softmax, dropout, matmul) as {@link dev.jtune.core.kernels.ScalarAttention} computes it.
     * Query matrix {@code b} reads the keys and values {@code kv} places it ({@link KvLayout}: dense, the filled part
     * of a KV cache's buffer, or a key head shared by several query heads).
     */
    void attention(B out, B p, B q, B k, B v, AttentionMask mask,
                   int n, int tq, int tk, int hs, int hsv, KvLayout kv, float scale);

    /**
     * The backward of {@link #attention}: {@code dq, dk, dv} (shaped as q, k, v) from the output gradient
     * {@code dout [N, Tq, hsv]} and the forward's weights {@code p}: {@code dv = P'^T dout} (P' the dropped weights),
     * {@code dP = dropout(dout v^T)}, {@code dS = mask(P * (dP - rowsum(dP * P))) * scale}, {@code dq = dS k},
     * {@code dk = dS^T q}.
     */
    void attentionBackward(B dq, B dk, B dv, B dout, B p, B q, B k,
                           B v, AttentionMask mask, int n, int tq, int tk, int hs, int hsv, float scale);

    /**
     * One AdamW update of the {@code n} elements of a parameter {@code p} with gradient {@code g} and moments
     * {@code m}, {@code v}, in place: see {@link AdamWStep}. Each element is updated on its own, so any split is exact.
     */
    void adamw(B p, B g, B m, B v, int n, AdamWStep step);

    /**
     * {@code sum a[i]^2} for {@code i < n}, in double, as {@code torch.nn.utils.clip_grad_norm_} needs it without
     * bringing the gradient to the host: the squares (exact in double) summed in double over each block of
     * {@link dev.jtune.core.kernels.ScalarReduce#SQUARES_BLOCK} elements, then the block sums added in increasing block
     * order ({@link F64Kernels#sumOfSquares}: within a block, eight interleaved partial sums added pairwise, as
     * {@link dev.jtune.core.kernels.ScalarReduce#SQUARES_LANES} says; the CPU backends' bits). A backend may
     * sum within a block in another order (a device's tree); across blocks the order is fixed. 0 when {@code n == 0};
     * NaN if any element is NaN, else infinite if any is.
     */
    double sumOfSquares(B a, int n);

    /**
     * {@link #sumOfSquares} of the first {@code ns[t]} elements of each {@code buffers[t]}: the same bits as one call
     * per buffer. The default makes those calls; a device backend reduces them all in one launch, so that clipping a
     * model's gradients costs one round trip to the host rather than one per parameter.
     */
    default double[] sumsOfSquares(List<B> buffers, int[] ns) {
        if (buffers.size() != ns.length) {
            throw new IllegalArgumentException(
                    "sumsOfSquares: " + buffers.size() + " buffers but " + ns.length + " sizes");
        }
        double[] sums = new double[ns.length];
        for (int t = 0; t < ns.length; t++) sums[t] = sumOfSquares(buffers.get(t), ns[t]);
        return sums;
    }

    /**
     * GELU of a biased input, fused for GPT-2's MLP: {@code out[r, c] = gelu(x[r, c] + bias[c])} for contiguous
     * {@code x: [rows, cols]} and {@code bias: [cols]}, with the tanh approximation (gelu_new) when {@code tanh}. The
     * default is the composition (an add, then the activation in place); a backend may fuse it but must give the same
     * function.
     */
    default void biasGelu(B out, B x, B bias, int rows, int cols, boolean tanh) {
        binary(BinaryOp.ADD, out, x, 0, new int[] {cols, 1}, bias, 0, new int[] {0, 1}, new int[] {rows, cols});
        unary(tanh ? UnaryOp.GELU_TANH : UnaryOp.GELU, out, out, 0, rows * cols);
    }

    /**
     * The backward of {@link #biasGelu}: {@code dx[r, c] = g[r, c] * gelu'(x[r, c] + bias[c])} and
     * {@code dbias[c] = sum over r of dx[r, c]}, summed in increasing r; all arrays contiguous. The default is the
     * composition: add, the derivative and the product in place in dx, then a column sum.
     */
    default void biasGeluBackward(B dx, B dbias, B g, B x, B bias, int rows, int cols,
                                  boolean tanh) {
        int[] shape = {rows, cols}, dense = {cols, 1};
        binary(BinaryOp.ADD, dx, x, 0, dense, bias, 0, new int[] {0, 1}, shape);
        unary(tanh ? UnaryOp.GELU_TANH_GRAD : UnaryOp.GELU_GRAD, dx, dx, 0, rows * cols);
        binary(BinaryOp.MUL, dx, dx, 0, dense, g, 0, dense, shape);
        reduce(ReduceOp.SUM, dbias, dx, 1, rows, cols);
    }

    /**
     * Layer norm over the rows of contiguous {@code x: [rows, cols]}: {@code mean[r]} the row's mean,
     * {@code rstd[r] = 1 / sqrt(var + eps)} with the biased variance {@code var = mean((x - mean)^2)}, and
     * {@code out[r, c] = (x[r, c] - mean[r]) * rstd[r] * weight[c] + bias[c]} (weight and bias may be null). Each step
     * is rounded to float as the composition of tensor ops rounds it ({@code Functional.layerNormComposed}). The
     * default is that composition in calls of this interface, with {@code out} as scratch; a backend may fuse it but
     * must give the same bits.
     */
    default void layerNorm(B out, B mean, B rstd, B x, B weight, B bias, int rows, int cols, float eps) {
        if (rows == 0) return;
        if (cols == 0) {  // the mean of no elements: 0 / 0
            fill(mean, 0, rows, Float.NaN);
            fill(rstd, 0, rows, Float.NaN);
            return;
        }
        int[] shape = {rows, cols}, dense = {cols, 1}, perRow = {1, 0};
        reduce(ReduceOp.SUM, mean, x, rows, cols, 1);
        fill(out, 0, 1, cols);                                                  // out[0]: the count, as a scalar
        binary(BinaryOp.DIV, mean, mean, 0, new int[] {1}, out, 0, new int[] {0}, new int[] {rows});
        binary(BinaryOp.SUB, out, x, 0, dense, mean, 0, perRow, shape);        // x - mean
        binary(BinaryOp.MUL, out, out, 0, dense, out, 0, dense, shape);        // (x - mean)^2
        reduce(ReduceOp.SUM, rstd, out, rows, cols, 1);
        reciprocalRootOfMean(rstd, rows, cols, eps, out);
        binary(BinaryOp.SUB, out, x, 0, dense, mean, 0, perRow, shape);        // x - mean again
        binary(BinaryOp.MUL, out, out, 0, dense, rstd, 0, perRow, shape);
        affine(out, weight, bias, rows, cols);
    }

    /**
     * RMS norm over the rows of contiguous {@code x: [rows, cols]}, as Llama's: {@code rstd[r] = 1 / sqrt(mean(x^2) +
     * eps)} and {@code out[r, c] = x[r, c] * rstd[r] * weight[c]} (weight may be null), each step rounded as the
     * composition rounds it ({@code Functional.rmsNormComposed}). The default is that composition, with {@code out}
     * as scratch; a backend may fuse it but must give the same bits.
     */
    default void rmsNorm(B out, B rstd, B x, B weight, int rows, int cols, float eps) {
        if (rows == 0) return;
        if (cols == 0) {
            fill(rstd, 0, rows, Float.NaN);
            return;
        }
        int[] shape = {rows, cols}, dense = {cols, 1};
        binary(BinaryOp.MUL, out, x, 0, dense, x, 0, dense, shape);            // x^2
        reduce(ReduceOp.SUM, rstd, out, rows, cols, 1);
        reciprocalRootOfMean(rstd, rows, cols, eps, out);
        binary(BinaryOp.MUL, out, x, 0, dense, rstd, 0, new int[] {1, 0}, shape);
        affine(out, weight, null, rows, cols);
    }

    /** {@code sums[r] = 1 / sqrt(sums[r] / cols + eps)}, the scalars passed in {@code scratch[0]}. */
    private void reciprocalRootOfMean(B sums, int rows, int cols, float eps, B scratch) {
        int[] shape = {rows}, dense = {1}, scalar = {0};
        fill(scratch, 0, 1, cols);
        binary(BinaryOp.DIV, sums, sums, 0, dense, scratch, 0, scalar, shape);
        fill(scratch, 0, 1, eps);
        binary(BinaryOp.ADD, sums, sums, 0, dense, scratch, 0, scalar, shape);
        unary(UnaryOp.RSQRT, sums, sums, 0, rows);
    }

    /** {@code out[r, c] = out[r, c] * weight[c] + bias[c]}, each step skipped when its parameter is null. */
    private void affine(B out, B weight, B bias, int rows, int cols) {
        int[] shape = {rows, cols}, dense = {cols, 1}, perColumn = {0, 1};
        if (weight != null) binary(BinaryOp.MUL, out, out, 0, dense, weight, 0, perColumn, shape);
        if (bias != null) binary(BinaryOp.ADD, out, out, 0, dense, bias, 0, perColumn, shape);
    }
}
