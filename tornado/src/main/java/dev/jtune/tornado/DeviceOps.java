package dev.jtune.tornado;

import dev.jtune.core.backend.AdamWStep;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.KvLayout;
import dev.jtune.core.backend.ReduceOp;
import dev.jtune.core.backend.UnaryOp;
import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.kernels.ScalarReduce;
import dev.jtune.core.kernels.Strided;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;

/**
 * The device's versions of core's {@code Backend} F32 methods, over regions of a {@link DeviceArena}: each takes heap
 * offsets where the Backend method takes arrays (and offsets into them), in the same order, and computes the same
 * function as {@code ReferenceBackend} within the tolerance its test states. Outputs must not overlap inputs except
 * where the Backend method allows it. Each call launches its kernel and returns; nothing comes back to the host but
 * {@link #sumOfSquares}'s block sums.
 */
public final class DeviceOps {

    /** Longs of an attention dropout bitset sent per launch (1M ints: 4 MiB of the default int arena's 16). */
    static final int DROPOUT_CHUNK = 1 << 19;

    private final DeviceArena arena;

    public DeviceOps(DeviceArena arena) {
        this.arena = arena;
    }

    /** {@code out[i] = value} for {@code i < n}. */
    public void fill(int out, int n, float value) {
        if (n > 0) arena.launch(Kernel.FILL, Grid.elements(n), new float[] {value}, n, out);
    }

    /** {@code out[i] = op(a[i])} for {@code i < n}; out may be a. */
    public void unary(UnaryOp op, int out, int a, int n) {
        if (n > 0) arena.launch(Kernel.UNARY, Grid.elements(n), n, out, a, DeviceMath.code(op));
    }

    /**
     * {@code out[idx] = op(a[idx], b[idx])}: out contiguous of {@code shape}, a and b read through strides (0
     * broadcasts).
     */
    public void binary(BinaryOp op, int out, int a, int[] aStrides, int b, int[] bStrides, int[] shape) {
        int n = elements(shape, "binary " + op);
        if (n == 0) return;
        int[] head = {n, out, a, b, ElementwiseKernels.code(op), shape.length};
        int[] args = strided(head, ElementwiseKernels.BINARY_SHAPE, shape, aStrides, bStrides);
        arena.launch(Kernel.BINARY, Grid.elements(n), args);
    }

    /**
     * {@code out[idx] = a[idx]}: the strided view {@code (a, aStrides, shape)} into the strided view
     * {@code (out, outStrides, shape)}; dimensions that step as one in both are merged first (a contiguous copy, or a
     * cat's block, becomes one run).
     */
    public void copy(int out, int[] outStrides, int a, int[] aStrides, int[] shape) {
        int[][] c = Strided.collapse(shape, outStrides, aStrides);  // {shape, outStrides, aStrides}
        int n = elements(c[0], "copy");
        if (n == 0) return;
        int[] head = {n, out, a, c[0].length};
        arena.launch(Kernel.COPY, Grid.elements(n), strided(head, ElementwiseKernels.COPY_SHAPE, c[0], c[1], c[2]));
    }

    /** {@code out[o, i] = op over j of a[o, j, i]} for a contiguous {@code a: [outer, r, inner]}. */
    public void reduce(ReduceOp op, int out, int a, int outer, int r, int inner) {
        if (outer * inner > 0) {
            int isMax = op == ReduceOp.MAX ? 1 : 0;
            arena.launch(Kernel.REDUCE, Grid.groups((long) outer * inner), outer, r, inner, out, a, isMax);
        }
    }

    /**
     * {@code sum heap[a[t] + i]^2} for {@code i < n[t]}, in double, for every tensor {@code t} at once: one table of
     * all their {@link ScalarReduce#SQUARES_BLOCK}-element blocks, one launch for the block sums on the device, each
     * tensor's added here in block order (core's {@code Backend.sumOfSquares}); only the block sums cross to the host.
     */
    public double[] sumsOfSquares(int[] a, int[] n) {
        int blocks = Arrays.stream(n).map(ScalarReduce::squaresBlocks).sum();
        int[] table = new int[2 * blocks];  // each block's heap offset and length
        for (int t = 0, b = 0; t < a.length; t++) {
            for (int start = 0; start < n[t]; start += ScalarReduce.SQUARES_BLOCK, b++) {
                table[2 * b] = a[t] + start;
                table[2 * b + 1] = Math.min(ScalarReduce.SQUARES_BLOCK, n[t] - start);
            }
        }
        double[][] blockSums = {new double[0]};
        if (blocks > 0) withInts(table, at -> blockSums[0] = arena.blockSumsOfSquares(at, blocks));
        double[] sums = new double[a.length];
        for (int t = 0, b = 0; t < a.length; t++) {
            for (int end = b + ScalarReduce.squaresBlocks(n[t]); b < end; b++) sums[t] += blockSums[0][b];
        }
        return sums;
    }

    /**
     * {@code ints[out + o * inner + i] = } the first j maximizing {@code a[o, j, i]} (NaN counts as the maximum); r
     * &gt;= 1.
     */
    public void argmax(int outInts, int a, int outer, int r, int inner) {
        if (r < 1) throw new IllegalArgumentException("argmax over an empty dimension");
        if (outer * inner > 0) {
            arena.launch(Kernel.ARGMAX, Grid.groups((long) outer * inner), outer, r, inner, outInts, a);
        }
    }

    /**
     * Batched {@code out[p] = A[p] @ B[p]}, {@code out: [batch, m, n]} contiguous, {@code A[p][i][l] = heap[aOffsets[p]
     * + i * aRowStride + l * aColStride]} ({@code m x k}), likewise B.
     */
    public void matmul(int out, int[] aOffsets, int aRowStride, int aColStride, int[] bOffsets, int bRowStride,
                       int bColStride, int m, int n, int k) {
        int batch = aOffsets.length;
        if (bOffsets.length != batch) {
            throw new IllegalArgumentException("matmul: " + batch + " A offsets but " + bOffsets.length + " B offsets");
        }
        if (batch == 0 || m == 0 || n == 0) return;
        int[] offsets = new int[2 * batch];
        System.arraycopy(aOffsets, 0, offsets, 0, batch);
        System.arraycopy(bOffsets, 0, offsets, batch, batch);
        withInts(offsets, at -> arena.launch(Kernel.MATMUL, MatmulKernels.grid(m, n, batch),
                m, n, k, out, aRowStride, aColStride, bRowStride, bColStride, at, at + batch));
    }

    /** Row-wise softmax (or log-softmax) of a contiguous {@code a: [rows, cols]}; out may be a. */
    public void softmax(int out, int a, int rows, int cols, boolean log) {
        if (rows > 0 && cols > 0) arena.launch(Kernel.SOFTMAX, Grid.groups(rows), rows, cols, out, a, log ? 1 : 0);
    }

    /** The input gradient of a row-wise softmax from its output y and the output gradient g. */
    public void softmaxBackward(int gradIn, int g, int y, int rows, int cols, boolean log) {
        if (rows > 0 && cols > 0) {
            arena.launch(Kernel.SOFTMAX_BACKWARD, Grid.groups(rows), rows, cols, gradIn, g, y, log ? 1 : 0);
        }
    }

    /** {@code out[o, j, i] = a[o, index[j], i]} for {@code a: [outer, dim, inner]}; indices already checked. */
    public void indexSelect(int out, int a, int[] index, int outer, int dim, int inner) {
        long n = (long) outer * index.length * inner;
        if (n > 0) {
            withInts(index, at -> arena.launch(Kernel.INDEX_SELECT, Grid.elements(n),
                    outer, dim, inner, index.length, out, a, at));
        }
    }

    /** {@code out[o, index[j], i] += src[o, j, i]}, repeated indices accumulated in increasing j. */
    public void indexAdd(int out, int src, int[] index, int outer, int dim, int inner) {
        if (index.length > 0 && outer * inner > 0) {
            withInts(index, at -> arena.launch(Kernel.INDEX_ADD, Grid.elements((long) outer * inner),
                    outer, dim, inner, index.length, out, src, at));
        }
    }

    /** One AdamW update of the {@code n} elements of p, in place, with gradient g and moments m, v. */
    public void adamw(int p, int g, int m, int v, int n, AdamWStep step) {
        if (n == 0) return;
        float[] scalars = {step.decay(), step.w1(), step.beta2(), step.w2(), step.stepSize(), step.bc2Sqrt(),
            step.eps(), step.gradScale()};
        arena.launch(Kernel.ADAMW, Grid.elements(n), scalars, n, p, g, m, v, step.decays() ? 1 : 0);
    }

    /** {@code out[r, c] = gelu(x[r, c] + bias[c])}, the tanh approximation when {@code tanh}. */
    public void biasGelu(int out, int x, int bias, int rows, int cols, boolean tanh) {
        int n = rows * cols;
        UnaryOp act = tanh ? UnaryOp.GELU_TANH : UnaryOp.GELU;
        if (n > 0) arena.launch(Kernel.BIAS_GELU, Grid.elements(n), n, cols, out, x, bias, DeviceMath.code(act));
    }

    /** {@code dx[r, c] = g[r, c] * gelu'(x[r, c] + bias[c])} and {@code dbias[c] = sum over r of dx[r, c]}. */
    public void biasGeluBackward(int dx, int dbias, int g, int x, int bias, int rows, int cols, boolean tanh) {
        int n = rows * cols;
        UnaryOp grad = tanh ? UnaryOp.GELU_TANH_GRAD : UnaryOp.GELU_GRAD;
        if (n > 0) {
            arena.launch(Kernel.BIAS_GELU_BACKWARD, Grid.elements(n), n, cols, dx, g, x, bias, DeviceMath.code(grad));
        }
        reduce(ReduceOp.SUM, dbias, dx, 1, rows, cols);
    }

    /**
     * Scaled-dot-product attention as core's {@code ScalarAttention.forward}, composed: {@code p = q k^T} (matmul),
     * {@code p = softmax(mask(p * scale))} in place, {@code out = P' v} (matmul), where {@code P'} is p itself or, with
     * dropout, {@code p} times its dropout factors in a temporary {@code [N, Tq, Tk]} region ({@link #dropout}).
     * Shapes, contiguous: {@code q [N, Tq, hs]}, {@code k [N, Tk, hs]}, {@code v [N, Tk, hsv]}, {@code out [N, Tq,
     * hsv]}, {@code p [N, Tq, Tk]} (the weights before dropout, kept for the backward); query matrix b reads the keys
     * and values where {@code kv} says (core's {@code KvLayout}).
     */
    public void attention(int out, int p, int q, int k, int v, AttentionMask mask, int n, int tq, int tk, int hs,
                          int hsv, KvLayout kv, float scale) {
        if (n == 0 || tq == 0) return;
        matmul(p, batch(q, n, tq * hs), hs, 1, offsets(k, n, kv::keys), 1, hs, tq, tk, hs);
        maskedSoftmax(Kernel.ATTENTION_SOFTMAX, p, -1, mask, n, tq, tk, scale);
        int count = Math.toIntExact((long) n * tq * tk);
        if (!mask.dropout() || count == 0) {
            matmul(out, batch(p, n, tq * tk), tk, 1, offsets(v, n, kv::values), hsv, 1, tq, hsv, tk);
            return;
        }
        int dropped = arena.allocate(count);
        try {
            dropout(dropped, p, mask, count);
            matmul(out, batch(dropped, n, tq * tk), tk, 1, offsets(v, n, kv::values), hsv, 1, tq, hsv, tk);
        } finally {
            arena.free(dropped);
        }
    }

    /**
     * The gradients of {@link #attention} from {@code dout [N, Tq, hsv]} and the forward's weights p, as core's {@code
     * ScalarAttention.backward}, with one temporary {@code [N, Tq, Tk]} region ds: {@code dv = P'^T dout} (matmul; with
     * dropout {@code P'} is first made in ds), {@code dS = dout v^T} (matmul into ds), with dropout {@code dS =
     * dropout(dS)} in place, {@code dS = mask(p * (dS - rowsum(dS * p))) * scale} in place, then {@code dq = dS k} and
     * {@code dk = dS^T q} (matmuls).
     */
    public void attentionBackward(int dq, int dk, int dv, int dout, int p, int q, int k, int v, AttentionMask mask,
                                  int n, int tq, int tk, int hs, int hsv, float scale) {
        if (n == 0 || tq == 0 || tk == 0) return;
        int count = Math.toIntExact((long) n * tq * tk), ds = arena.allocate(count);
        try {
            int dropped = p;
            if (mask.dropout()) {
                dropout(ds, p, mask, count);
                dropped = ds;
            }
            matmul(dv, batch(dropped, n, tq * tk), 1, tk, batch(dout, n, tq * hsv), hsv, 1, tk, hsv, tq);
            matmul(ds, batch(dout, n, tq * hsv), hsv, 1, batch(v, n, tk * hsv), 1, hsv, tq, tk, hsv);
            if (mask.dropout()) dropout(ds, ds, mask, count);
            maskedSoftmax(Kernel.ATTENTION_SOFTMAX_BACKWARD, p, ds, mask, n, tq, tk, scale);
            matmul(dq, batch(ds, n, tq * tk), tk, 1, batch(k, n, tk * hs), hs, 1, tq, hs, tk);
            matmul(dk, batch(ds, n, tq * tk), 1, tk, batch(q, n, tq * hs), hs, 1, tk, hs, tq);
        } finally {
            arena.free(ds);
        }
    }

    /**
     * {@code out[i] = a[i] * mask.dropoutFactor(i)} for the {@code count} weights {@code [N, Tq, Tk]} of an attention
     * mask with dropout; out may be a. The bitset goes to the int arena {@link #DROPOUT_CHUNK} words at a time, so a
     * training batch's (GPT-2 at B = 16, T = 1024: 6.3M ints) needs no larger int arena.
     */
    void dropout(int out, int a, AttentionMask mask, int count) {
        dropout(out, a, mask, count, DROPOUT_CHUNK);
    }

    /** {@link #dropout(int, int, AttentionMask, int)} with the bitset sent {@code chunk} longs at a time. */
    void dropout(int out, int a, AttentionMask mask, int count, int chunk) {
        long[] kept = mask.kept();
        int words = Math.ceilDiv(count, Long.SIZE);
        if (kept.length < words) {
            throw new IllegalArgumentException("attention dropout: " + count + " weights need " + words
                    + " longs of kept bits, got " + kept.length);
        }
        float[] keepScale = {(float) mask.keepScale()};
        for (int w0 = 0; w0 < words; w0 += chunk) {
            int w = Math.min(chunk, words - w0), start = Math.toIntExact((long) w0 * Long.SIZE);
            int len = Math.min(count - start, w * Long.SIZE);
            int[] bits = new int[2 * w];  // each long as its low then its high 32 bits
            for (int i = 0; i < w; i++) {
                bits[2 * i] = (int) kept[w0 + i];
                bits[2 * i + 1] = (int) (kept[w0 + i] >>> 32);
            }
            withInts(bits, at -> arena.launch(Kernel.ATTENTION_DROPOUT, Grid.elements(len), keepScale, len,
                    out + start, a + start, at));
        }
    }

    /** {@code losses[i] = -logProbs[i, target[i]]}, 0 where the target is ignoreIndex (nll_loss, no reduction). */
    public void nllLoss(int losses, int logProbs, int[] target, int ignoreIndex, int rows, int classes) {
        if (rows == 0) return;
        withInts(target, at -> arena.launch(Kernel.NLL_LOSS, Grid.elements(rows), rows, classes, ignoreIndex, at,
                losses, logProbs));
    }

    /**
     * Cross-entropy's backward in place over the log-probabilities {@code grad: [rows, classes]}:
     * {@code grad[i, j] = exp(grad[i, j]) * s_i - (j == target[i] ? s_i : 0)} with
     * {@code s_i = g[i * gStride] * gScale} (0 where the target is ignoreIndex), rounded as core's HostBackend
     * composition.
     */
    public void crossEntropyBackward(int grad, int g, int gStride, double gScale, int[] target, int ignoreIndex,
                                     int rows, int classes) {
        if (rows == 0 || classes == 0) return;
        float hi = (float) gScale, lo = (float) (gScale - hi);
        withInts(target, at -> arena.launch(Kernel.CROSS_ENTROPY_BACKWARD, Grid.elements((long) rows * classes),
                new float[] {hi, lo}, rows, classes, ignoreIndex, at, grad, g, gStride));
    }

    /** {@code out[i] = condition[i] != 0 ? a[i] : b[i]} for {@code i < n} (torch.where). */
    public void where(int out, int condition, int a, int b, int n) {
        if (n > 0) arena.launch(Kernel.WHERE, Grid.elements(n), n, out, condition, a, b);
    }

    /** torch.triu (upper) or tril of {@code a: [matrices, rows, cols]} about {@code diagonal}, into out. */
    public void triangle(int out, int a, int matrices, int rows, int cols, int diagonal, boolean upper) {
        int n = matrices * rows * cols;
        if (n > 0) arena.launch(Kernel.TRIANGLE, Grid.elements(n), n, out, a, rows, cols, diagonal, upper ? 1 : 0);
    }

    /** {@code out[o, index[o, i], i] = src[o, i]} (the backward of a max), other elements of out unchanged. */
    public void scatter(int out, int src, long[] index, int outer, int dim, int inner) {
        int[] positions = new int[index.length];
        for (int p = 0; p < positions.length; p++) positions[p] = Math.toIntExact(index[p]);
        if (positions.length > 0) {
            withInts(positions, at -> arena.launch(Kernel.SCATTER, Grid.elements(positions.length),
                    outer, dim, inner, out, src, at));
        }
    }

    /** Launches an attention softmax kernel with the mask's padding flags (zeros without padding) in the int arena. */
    private void maskedSoftmax(Kernel kernel, int p, int ds, AttentionMask mask, int n, int tq, int tk, float scale) {
        int[] padded = new int[n / mask.heads() * tk];
        for (int i = 0; mask.padded() != null && i < padded.length; i++) padded[i] = mask.padded()[i] ? 1 : 0;
        withInts(padded, at -> arena.launch(kernel, Grid.groups((long) n * tq), new float[] {scale},
                n * tq, tq, tk, mask.heads(), mask.causal() ? 1 : 0, at, p, ds, mask.window() > 0 ? 1 : 0,
                mask.window()));
    }

    /** The offsets {@code base + b * stride} of {@code n} matrices laid out one after another. */
    /** {@code base + start(b)} for each of the {@code n} query matrices: where it finds its keys or its values. */
    private static int[] offsets(int base, int n, IntUnaryOperator start) {
        int[] offsets = new int[n];
        for (int b = 0; b < n; b++) offsets[b] = base + start.applyAsInt(b);
        return offsets;
    }

    private static int[] batch(int base, int n, int stride) {
        int[] offsets = new int[n];
        for (int b = 0; b < n; b++) offsets[b] = base + b * stride;
        return offsets;
    }

    /** Runs {@code body} with {@code values} in a temporary int-arena region whose offset it receives. */
    private void withInts(int[] values, IntConsumer body) {
        int at = arena.allocateInts(values.length);
        try {
            arena.uploadInts(values, at);
            body.accept(at);
        } finally {
            arena.freeInts(at);
        }
    }

    /** The element count of {@code shape}, which must have rank &lt;= 8. */
    private static int elements(int[] shape, String op) {
        if (shape.length > ElementwiseKernels.RANK) {
            throw new IllegalArgumentException(op + ": rank " + shape.length + " > " + ElementwiseKernels.RANK);
        }
        long n = 1;
        for (int size : shape) n *= size;
        return Math.toIntExact(n);
    }

    /**
     * The args {@code head}, then shape, then each operand's strides, RANK slots apiece; the shape goes at {@code
     * shapeAt}.
     */
    private static int[] strided(int[] head, int shapeAt, int[] shape, int[]... strides) {
        if (head.length != shapeAt) {
            throw new IllegalStateException("args head of " + head.length + " ints, shape at " + shapeAt);
        }
        int[] args = new int[shapeAt + (1 + strides.length) * ElementwiseKernels.RANK];
        System.arraycopy(head, 0, args, 0, head.length);
        System.arraycopy(shape, 0, args, shapeAt, shape.length);
        for (int s = 0; s < strides.length; s++) {
            if (strides[s].length != shape.length) {
                throw new IllegalArgumentException("strides of rank " + strides[s].length + " for a shape of rank "
                        + shape.length);
            }
            System.arraycopy(strides[s], 0, args, shapeAt + (s + 1) * ElementwiseKernels.RANK, shape.length);
        }
        return args;
    }
}
