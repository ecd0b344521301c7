package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.AttentionMask;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.F64Kernels;
import dev.jtune.core.backend.HostBackend;
import dev.jtune.core.backend.KvLayout;
import dev.jtune.core.backend.ReduceOp;
import dev.jtune.core.backend.UnaryOp;
import dev.jtune.core.kernels.simd.SimdConvert;
import java.util.Arrays;

/**
 * The one place where tensors become arrays: checks dtypes and runs F32 tensors on the current backend and F64 tensors
 * on {@link F64Kernels}, the scalar reference kernels. Ops compute shapes and check arguments; the data work happens
 * here. Unless a method says otherwise, tensors passed in are contiguous with zero offset (see {@link #dense}) and of
 * one compute dtype, and outputs are written in place.
 */
final class Dispatch {

    private Dispatch() {}

    /** The current backend, typed for the buffers that {@link #buffer} hands it. */
    static Backend<Object> backend() {
        return Backends.currentForKernelBuffers();
    }

    /** Fails unless {@code t} has a compute dtype (F32/F64). */
    static Tensor requireCompute(String op, Tensor t) {
        if (!t.dtype().isCompute()) {
            throw new IllegalArgumentException(op + ": expects an F32 or F64 tensor, got " + t.dtype() + " of shape "
                    + t.shapeString() + " (convert with .to(DType.F32))");
        }
        return t;
    }

    /** Fails unless both tensors have the same compute dtype. */
    static void requireSameCompute(String op, Tensor a, Tensor b) {
        requireCompute(op, a);
        requireCompute(op, b);
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtype mismatch " + a.dtype() + " " + a.shapeString() + " vs "
                    + b.dtype() + " " + b.shapeString());
        }
    }

    static Tensor unary(UnaryOp op, Tensor a) {
        Tensor x = a.contiguous();
        Tensor out = Tensor.empty(x.dtype(), x.shape());
        unaryInto(op, out, x);
        return out;
    }

    /** {@code out = op(x)} for a contiguous {@code x} into a dense zero-offset {@code out}, which may be {@code x}. */
    static void unaryInto(UnaryOp op, Tensor out, Tensor x) {
        if (isF32(x)) backend().unary(op, buffer(out), buffer(x), x.offset(), x.numel());
        else F64Kernels.unary(op, doubles(out), doubles(x), x.offset(), x.numel());
    }

    static Tensor binary(String name, BinaryOp op, Tensor a, Tensor b) {
        requireSameCompute(name, a, b);  // before allocating: the dtype comes from a
        Tensor out = Tensor.empty(a.dtype(), Shape.broadcast(name, a.shape(), b.shape()));
        binaryInto(name, op, out, a, b);
        return out;
    }

    /**
     * {@code out = op(a, b)} into an existing dense zero-offset {@code out} of the broadcast shape; {@code a} and
     * {@code b} may be any views, and {@code out} may be {@code a} itself (each element is read before it is written,
     * at the same index).
     */
    static void binaryInto(String name, BinaryOp op, Tensor out, Tensor a, Tensor b) {
        requireSameCompute(name, a, b);
        int[] shape = out.shape();
        int[] as = Shape.broadcastStrides(a.shape(), a.strides(), shape);
        int[] bs = Shape.broadcastStrides(b.shape(), b.strides(), shape);
        if (isF32(a)) backend().binary(op, buffer(out), buffer(a), a.offset(), as, buffer(b), b.offset(), bs, shape);
        else F64Kernels.binary(op, doubles(out), doubles(a), a.offset(), as, doubles(b), b.offset(), bs, shape);
    }

    /** A contiguous copy of any tensor (strided views included). */
    static Tensor copy(Tensor a) {
        Tensor out = a.dtype().isCompute() ? Tensor.empty(a.dtype(), a.shape()) : Tensor.zeros(a.dtype(), a.shape());
        copyInto(out, a);
        return out;
    }

    /**
     * Copies {@code a} into {@code out}, both any view of the same shape and dtype ({@code a} may be expanded;
     * {@code out}'s elements must be distinct), exactly; other elements of {@code out}'s storage are left as they are.
     * A shared storage is allowed only as {@link Backend#copy} allows it. Dtypes other than F32 and F64 are copied on
     * the host.
     */
    static void copyInto(Tensor out, Tensor a) {
        int[] shape = out.shape(), os = out.strides(), as = a.strides();
        switch (out.dtype()) {
            case F32 -> backend().copy(buffer(out), out.offset(), os, buffer(a), a.offset(), as, shape);
            case F64 -> F64Kernels.copy(doubles(out), out.offset(), os, doubles(a), a.offset(), as, shape);
            default -> Conversions.copyStrided(out, a);
        }
    }

    /** Sets every element of a contiguous {@code out} (any offset) to {@code value} converted to its dtype. */
    static void fill(Tensor out, double value) {
        int off = out.offset(), n = out.numel();
        switch (out.dtype()) {
            case F32 -> backend().fill(buffer(out), off, n, (float) value);
            case F64 -> F64Kernels.fill(doubles(out), off, n, value);
            default -> {
                for (int i = 0; i < n; i++) Conversions.setFlat(out, i, value);
            }
        }
    }

    /** Reduces dim {@code d} of any view {@code x}, keeping it as size 1. */
    static Tensor reduce(ReduceOp op, Tensor x, int d) {
        int[] shape = x.shape();
        int outer = outer(shape, d), r = shape[d], inner = inner(shape, d);
        shape[d] = 1;
        Tensor out = Tensor.empty(x.dtype(), shape);
        Tensor c = dense(x);
        if (isF32(c)) backend().reduce(op, buffer(out), buffer(c), outer, r, inner);
        else F64Kernels.reduce(op, doubles(out), doubles(c), outer, r, inner);
        return out;
    }

    /** The I64 argmax of dim {@code d} of any view {@code t}, keeping it as size 1. */
    static Tensor argmax(Tensor t, int d) {
        Tensor x = dense(t);
        int[] shape = x.shape();
        int outer = outer(shape, d), r = shape[d], inner = inner(shape, d);
        shape[d] = 1;
        Tensor out = Tensor.zeros(DType.I64, shape);
        if (isF32(x)) backend().argmax(out.storage().longs(), buffer(x), outer, r, inner);
        else F64Kernels.argmax(out.storage().longs(), doubles(x), outer, r, inner);
        return out;
    }

    /** {@code out[o, index[o, i], i] = src[o, i]}; {@code index} is I64. See {@link Backend#scatter}. */
    static void scatter(Tensor out, Tensor src, Tensor index, int outer, int dim, int inner) {
        long[] idx = index.storage().longs();
        if (isF32(src)) backend().scatter(buffer(out), buffer(src), idx, outer, dim, inner);
        else F64Kernels.scatter(doubles(out), doubles(src), idx, outer, dim, inner);
    }

    /** {@code out = A @ B} per batch matrix, operands read through offsets and strides. See {@link Backend#matmul}. */
    static void matmul(Tensor out, Tensor a, int[] aOffsets, int aRow, int aCol, Tensor b, int[] bOffsets, int bRow,
                       int bCol, int m, int n, int k) {
        if (isF32(a)) {
            backend().matmul(buffer(out), buffer(a), aOffsets, aRow, aCol, buffer(b), bOffsets, bRow, bCol, m, n, k);
        } else {
            F64Kernels.matmul(doubles(out), doubles(a), aOffsets, aRow, aCol, doubles(b), bOffsets, bRow, bCol, m, n,
                    k);
        }
    }

    /**
     * {@link #matmul} with a BF16/F16 {@code b} (a frozen half-precision weight, read through its offsets and strides)
     * and F32 {@code a} and {@code out}: a host backend reads b's bits as they are ({@link HostBackend#matmulHalfB});
     * for a device backend b's storage is converted to F32 first and released after the product.
     */
    static void matmulHalfB(Tensor out, Tensor a, int[] aOffsets, int aRow, int aCol, Tensor b, int[] bOffsets,
                            int bRow, int bCol, int m, int n, int k) {
        boolean bf16 = b.dtype() == DType.BF16;
        short[] halves = b.storage().halves();
        if (Backends.current() instanceof HostBackend host) {
            host.matmulHalfB((float[]) buffer(out), (float[]) buffer(a), aOffsets, aRow, aCol, halves, bf16, bOffsets,
                    bRow, bCol, m, n, k);
            return;
        }
        Tensor converted = Tensor.empty(DType.F32, halves.length);  // b's whole storage: its offsets and strides hold
        SimdConvert.halfToF32(converted.storage().floats(), halves, bf16, halves.length);
        try {
            matmul(out, a, aOffsets, aRow, aCol, converted, bOffsets, bRow, bCol, m, n, k);
        } finally {
            converted.storage().release("after the product that converted its half-precision operand");
        }
    }

    /** See {@link Backend#softmax}. */
    static void softmax(Tensor out, Tensor a, int rows, int cols, boolean log) {
        if (isF32(a)) backend().softmax(buffer(out), buffer(a), rows, cols, log);
        else F64Kernels.softmax(doubles(out), doubles(a), rows, cols, log);
    }

    /** See {@link Backend#softmaxBackward}. */
    static void softmaxBackward(Tensor gradIn, Tensor g, Tensor y, int rows, int cols, boolean log) {
        if (isF32(g)) backend().softmaxBackward(buffer(gradIn), buffer(g), buffer(y), rows, cols, log);
        else F64Kernels.softmaxBackward(doubles(gradIn), doubles(g), doubles(y), rows, cols, log);
    }

    /** See {@link Backend#indexSelect}. */
    static void indexSelect(Tensor out, Tensor a, int[] index, int outer, int dim, int inner) {
        if (isF32(a)) backend().indexSelect(buffer(out), buffer(a), index, outer, dim, inner);
        else F64Kernels.indexSelect(doubles(out), doubles(a), index, outer, dim, inner);
    }

    /** See {@link Backend#indexAdd}. */
    static void indexAdd(Tensor out, Tensor src, int[] index, int outer, int dim, int inner) {
        if (isF32(src)) backend().indexAdd(buffer(out), buffer(src), index, outer, dim, inner);
        else F64Kernels.indexAdd(doubles(out), doubles(src), index, outer, dim, inner);
    }

    /** See {@link Backend#where}. */
    static void where(Tensor out, Tensor condition, Tensor a, Tensor b) {
        int n = out.numel();
        if (isF32(a)) backend().where(buffer(out), buffer(condition), buffer(a), buffer(b), n);
        else F64Kernels.where(doubles(out), doubles(condition), doubles(a), doubles(b), n);
    }

    /** triu/tril of {@code a} viewed as {@code [matrices, rows, cols]}. See {@link Backend#triangle}. */
    static void triangle(Tensor out, Tensor a, int rows, int cols, int diagonal, boolean upper) {
        int matrices = rows * cols == 0 ? 0 : a.numel() / (rows * cols);
        if (isF32(a)) backend().triangle(buffer(out), buffer(a), matrices, rows, cols, diagonal, upper);
        else F64Kernels.triangle(doubles(out), doubles(a), matrices, rows, cols, diagonal, upper);
    }

    /** See {@link Backend#nllLoss}. */
    static void nllLoss(Tensor losses, Tensor logProbs, int[] target, int ignoreIndex, int classes) {
        int rows = target.length;
        if (isF32(logProbs)) backend().nllLoss(buffer(losses), buffer(logProbs), target, ignoreIndex, rows, classes);
        else F64Kernels.nllLoss(doubles(losses), doubles(logProbs), target, ignoreIndex, rows, classes);
    }

    /** See {@link Backend#crossEntropy}. */
    static void crossEntropy(Tensor losses, Tensor logits, int[] target, int ignoreIndex, int classes) {
        int rows = target.length;
        if (isF32(logits)) backend().crossEntropy(buffer(losses), buffer(logits), target, ignoreIndex, rows, classes);
        else F64Kernels.crossEntropy(doubles(losses), doubles(logits), target, ignoreIndex, rows, classes);
    }

    /** See {@link Backend#crossEntropyBackward}. */
    static void crossEntropyBackward(Tensor grad, Tensor g, int gStride, double gScale, int[] target, int ignoreIndex,
                                     int classes) {
        int rows = target.length;
        if (isF32(grad)) {
            backend().crossEntropyBackward(buffer(grad), buffer(g), gStride, gScale, target, ignoreIndex, rows,
                    classes);
        } else {
            F64Kernels.crossEntropyBackward(doubles(grad), doubles(g), gStride, gScale, target, ignoreIndex, rows,
                    classes);
        }
    }

    /**
     * Fused attention over {@code N} matrices; {@code p} may be null, {@code scale} is already rounded to the dtype; k
     * and v are read where {@code kv} says. See {@link Backend#attention}.
     */
    static void attention(Tensor out, Tensor p, Tensor q, Tensor k, Tensor v, AttentionMask mask, int n, int tq,
                          int tk, int hs, int hsv, KvLayout kv, double scale) {
        if (isF32(q)) {
            backend().attention(buffer(out), p == null ? null : buffer(p), buffer(q), buffer(k), buffer(v), mask, n,
                    tq, tk, hs, hsv, kv, (float) scale);
        } else {
            F64Kernels.attention(doubles(out), p == null ? null : doubles(p), doubles(q), doubles(k), doubles(v), mask,
                    n, tq, tk, hs, hsv, kv, scale);
        }
    }

    /** See {@link Backend#attentionBackward}. */
    static void attentionBackward(Tensor dq, Tensor dk, Tensor dv, Tensor dout, Tensor p, Tensor q, Tensor k,
                                  Tensor v, AttentionMask mask, int n, int tq, int tk, int hs, int hsv, double scale) {
        if (isF32(q)) {
            backend().attentionBackward(buffer(dq), buffer(dk), buffer(dv), buffer(dout), buffer(p), buffer(q),
                    buffer(k), buffer(v), mask, n, tq, tk, hs, hsv, (float) scale);
        } else {
            F64Kernels.attentionBackward(doubles(dq), doubles(dk), doubles(dv), doubles(dout), doubles(p), doubles(q),
                    doubles(k), doubles(v), mask, n, tq, tk, hs, hsv, scale);
        }
    }

    /** See {@link Backend#biasGelu}. */
    static void biasGelu(Tensor out, Tensor x, Tensor bias, int rows, int cols, boolean tanh) {
        if (isF32(x)) backend().biasGelu(buffer(out), buffer(x), buffer(bias), rows, cols, tanh);
        else F64Kernels.biasGelu(doubles(out), doubles(x), doubles(bias), rows, cols, tanh);
    }

    /** See {@link Backend#biasGeluBackward}. */
    static void biasGeluBackward(Tensor dx, Tensor dbias, Tensor g, Tensor x, Tensor bias, int rows, int cols,
                                 boolean tanh) {
        if (isF32(g)) {
            backend().biasGeluBackward(buffer(dx), buffer(dbias), buffer(g), buffer(x), buffer(bias), rows, cols, tanh);
        } else {
            F64Kernels.biasGeluBackward(doubles(dx), doubles(dbias), doubles(g), doubles(x), doubles(bias), rows, cols,
                    tanh);
        }
    }

    /** See {@link Backend#layerNorm}; weight and bias may be null. */
    static void layerNorm(Tensor out, Tensor mean, Tensor rstd, Tensor x, Tensor weight, Tensor bias, int rows,
                          int cols, double eps) {
        if (isF32(x)) {
            backend().layerNorm(buffer(out), buffer(mean), buffer(rstd), buffer(x), bufferOrNull(weight),
                    bufferOrNull(bias), rows, cols, (float) eps);
        } else {
            F64Kernels.layerNorm(doubles(out), doubles(mean), doubles(rstd), doubles(x), doublesOrNull(weight),
                    doublesOrNull(bias), rows, cols, eps);
        }
    }

    /** See {@link Backend#rmsNorm}; weight may be null. */
    static void rmsNorm(Tensor out, Tensor rstd, Tensor x, Tensor weight, int rows, int cols, double eps) {
        if (isF32(x)) {
            backend().rmsNorm(buffer(out), buffer(rstd), buffer(x), bufferOrNull(weight), rows, cols, (float) eps);
        } else {
            F64Kernels.rmsNorm(doubles(out), doubles(rstd), doubles(x), doublesOrNull(weight), rows, cols, eps);
        }
    }

    /** A contiguous zero-offset version of {@code t} (a copy unless it already is one). */
    static Tensor dense(Tensor t) {
        return t.isContiguous() && t.offset() == 0 && t.storage().size() == t.numel() ? t : Views.copy(t.detach());
    }

    /**
     * For {@code t: [..., rows, cols]} stored from offset 0 as equally spaced contiguous matrices, the distance between
     * consecutive ones ({@code rows * cols} when t is dense, more for the filled part of a buffer with room to grow,
     * such as a KV cache's {@code [B, H, capacity, hs]}), which a kernel taking that distance reads in place; -1 for
     * any other layout (or no elements), which needs {@link #dense}.
     */
    static int matrixStride(Tensor t) {
        int[] shape = t.shape(), strides = t.strides();
        int d = shape.length;
        if (d < 2 || t.numel() == 0 || t.offset() != 0 || strides[d - 1] != 1 || strides[d - 2] != shape[d - 1]) {
            return -1;
        }
        long matrix = (long) shape[d - 2] * shape[d - 1], stride = -1, inner = 0;  // inner: the dims after i, in matrices
        for (int i = d - 3; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (stride < 0) {
                stride = strides[i];
                inner = shape[i];
            } else {
                if (strides[i] != stride * inner) return -1;
                inner *= shape[i];
            }
        }
        if (stride < 0) return (int) matrix;
        return stride >= matrix ? (int) stride : -1;
    }

    /** The product of the dims before {@code d}: the outer count of a {@code [outer, shape[d], inner]} view. */
    static int outer(int[] shape, int d) {
        return Shape.numel(Arrays.copyOfRange(shape, 0, d));
    }

    /** The product of the dims after {@code d}. */
    static int inner(int[] shape, int d) {
        return Shape.numel(Arrays.copyOfRange(shape, d + 1, shape.length));
    }

    private static boolean isF32(Tensor t) {
        return t.dtype() == DType.F32;
    }

    /** The F32 buffer of {@code t} that the current backend's kernels take (see {@code Storage.kernelBuffer()}). */
    private static Object buffer(Tensor t) {
        return t.storage().kernelBuffer();
    }

    private static double[] doubles(Tensor t) {
        return t.storage().doubles();
    }

    private static Object bufferOrNull(Tensor t) {
        return t == null ? null : buffer(t);
    }

    private static double[] doublesOrNull(Tensor t) {
        return t == null ? null : doubles(t);
    }
}
