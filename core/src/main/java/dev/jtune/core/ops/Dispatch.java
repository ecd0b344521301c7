package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.ReduceOp;
import dev.jtune.core.backend.UnaryOp;

/**
 * The one place where tensors become arrays: checks dtypes and calls the current backend's F32 or F64 kernel.
 * Results are always new contiguous tensors.
 */
final class Dispatch {

    private Dispatch() {}

    static Backend backend() {
        return Backends.current();
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
        if (x.dtype() == DType.F32) {
            backend().unary(op, out.storage().floats(), x.storage().floats(), x.offset(), x.numel());
        } else {
            backend().unary(op, out.storage().doubles(), x.storage().doubles(), x.offset(), x.numel());
        }
    }

    static Tensor binary(String name, BinaryOp op, Tensor a, Tensor b) {
        requireSameCompute(name, a, b);  // before allocating: the dtype comes from a
        Tensor out = Tensor.empty(a.dtype(), Shape.broadcast(name, a.shape(), b.shape()));
        binaryInto(name, op, out, a, b);
        return out;
    }

    /**
     * {@code out = op(a, b)} into an existing dense zero-offset {@code out} of the broadcast shape; {@code out} may be
     * {@code a} itself (each element is read before it is written, at the same index).
     */
    static void binaryInto(String name, BinaryOp op, Tensor out, Tensor a, Tensor b) {
        requireSameCompute(name, a, b);
        int[] shape = out.shape();
        int[] as = Shape.broadcastStrides(a.shape(), a.strides(), shape);
        int[] bs = Shape.broadcastStrides(b.shape(), b.strides(), shape);
        if (a.dtype() == DType.F32) {
            backend().binary(op, out.storage().floats(), a.storage().floats(), a.offset(), as,
                    b.storage().floats(), b.offset(), bs, shape);
        } else {
            backend().binary(op, out.storage().doubles(), a.storage().doubles(), a.offset(), as,
                    b.storage().doubles(), b.offset(), bs, shape);
        }
    }

    /** A contiguous copy of any compute tensor (strided views included). */
    static Tensor copy(Tensor a) {
        Tensor out = a.dtype().isCompute() ? Tensor.empty(a.dtype(), a.shape()) : Tensor.zeros(a.dtype(), a.shape());
        switch (a.dtype()) {
            case F32 -> backend().copy(out.storage().floats(), a.storage().floats(), a.offset(), a.strides(), a.shape());
            case F64 -> backend().copy(out.storage().doubles(), a.storage().doubles(), a.offset(), a.strides(), a.shape());
            default -> Conversions.copyStrided(out, a);
        }
        return out;
    }

    /** Reduces dim {@code d} of {@code x}, keeping it as size 1. */
    static Tensor reduce(ReduceOp op, Tensor x, int d) {
        int[] shape = x.shape();
        int outer = Shape.numel(java.util.Arrays.copyOfRange(shape, 0, d));
        int inner = Shape.numel(java.util.Arrays.copyOfRange(shape, d + 1, shape.length));
        int r = shape[d];
        shape[d] = 1;
        Tensor out = Tensor.empty(x.dtype(), shape);
        Tensor c = dense(x);
        if (x.dtype() == DType.F32) {
            backend().reduce(op, out.storage().floats(), c.storage().floats(), outer, r, inner);
        } else {
            backend().reduce(op, out.storage().doubles(), c.storage().doubles(), outer, r, inner);
        }
        return out;
    }

    /** The I64 argmax of dim {@code d} of {@code x}, keeping it as size 1. */
    static Tensor argmax(Tensor t, int d) {
        Tensor x = dense(t);
        int[] shape = x.shape();
        int outer = Shape.numel(java.util.Arrays.copyOfRange(shape, 0, d));
        int inner = Shape.numel(java.util.Arrays.copyOfRange(shape, d + 1, shape.length));
        int r = shape[d];
        shape[d] = 1;
        Tensor out = Tensor.zeros(DType.I64, shape);
        if (x.dtype() == DType.F32) {
            backend().argmax(out.storage().longs(), x.storage().floats(), outer, r, inner);
        } else {
            backend().argmax(out.storage().longs(), x.storage().doubles(), outer, r, inner);
        }
        return out;
    }

    /** A contiguous zero-offset version of {@code t} (a copy unless it already is one). */
    static Tensor dense(Tensor t) {
        return t.isContiguous() && t.offset() == 0 && t.storage().size() == t.numel() ? t : Views.copy(t.detach());
    }
}
