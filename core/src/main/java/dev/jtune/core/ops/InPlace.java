package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.backend.BinaryOp;
import java.util.Arrays;

/**
 * In-place writes ({@code add_}, {@code mul_}, {@code copy_}, {@code fill_}). They are not recorded by autograd and
 * bump the storage version, so a tensor saved for backward that is later modified is caught at backward time. The data
 * moves through the backend's {@code copy} and {@code fill}, so a device tensor stays on the device.
 */
public final class InPlace {

    private InPlace() {}

    public static Tensor add_(Tensor self, Tensor other) {
        checkWritable("add_", self);
        return apply("add_", BinaryOp.ADD, self, other);
    }

    public static Tensor mul_(Tensor self, double value) {
        checkWritable("mul_", self);
        return apply("mul_", BinaryOp.MUL, self, Tensor.scalar(value, self.dtype()));
    }

    /**
     * {@code self = op(self, other)}: straight into self's buffer when self is one dense block from offset 0 and other
     * is not a view of the same storage (each element is then read before it is written, at the same index); any other
     * way through a temporary, which a one-off large tensor would otherwise leave in the buffer pool's cache.
     */
    private static Tensor apply(String name, BinaryOp op, Tensor self, Tensor other) {
        boolean direct = self.dtype().isCompute() && self.offset() == 0 && self.isContiguous()
                && other.storage() != self.storage()
                && Arrays.equals(Shape.broadcast(name, self.shape(), other.shape()), self.shape());
        if (!direct) return store(self, Dispatch.binary(name, op, self, other));
        Dispatch.binaryInto(name, op, self, self, other);
        self.storage().bumpVersion();
        return self;
    }

    public static Tensor copy_(Tensor self, Tensor src) {
        checkWritable("copy_", self);
        if (src.dtype() != self.dtype()) src = Conversions.to(src.detach(), self.dtype());
        int[] target = self.shape();
        int[] shape = Shape.broadcast("copy_", target, src.shape());
        if (!Arrays.equals(shape, target)) {
            throw new IllegalArgumentException("copy_: source of shape " + src.shapeString()
                    + " does not broadcast to the destination shape " + self.shapeString());
        }
        return store(self, src.detach().expand(target));
    }

    public static Tensor fill_(Tensor self, double value) {
        checkWritable("fill_", self);
        fill(self, value);
        self.storage().bumpVersion();
        return self;
    }

    /**
     * Sets every element of {@code t} to {@code value}, without checks or a version bump (factories use it on fresh
     * tensors): a contiguous tensor on the backend, another view as a copy of the value broadcast to its shape.
     */
    public static void fill(Tensor t, double value) {
        if (t.isContiguous()) {
            Dispatch.fill(t, value);
        } else {
            Dispatch.copyInto(t, Tensor.scalar(value, t.dtype()).expand(t.shape()));
        }
    }

    /** {@code grad += g}, truly in place, for a gradient buffer owned by its leaf (dense, zero offset). */
    public static void addInto(Tensor grad, Tensor g) {
        if (!java.util.Arrays.equals(grad.shape(), g.shape())) {
            throw new IllegalArgumentException("accumulate grad: shape " + g.shapeString() + " into " + grad.shapeString());
        }
        Dispatch.binaryInto("accumulate grad", BinaryOp.ADD, grad, grad, g);
        grad.storage().bumpVersion();
    }

    /**
     * Writes {@code values} (a view with self's shape) into self's elements; a view of self's own storage is copied
     * first, since the backend's copy must not read elements it has already overwritten.
     */
    private static Tensor store(Tensor self, Tensor values) {
        Tensor v = values.dtype() == self.dtype() ? values : Conversions.to(values, self.dtype());
        if (!Arrays.equals(v.shape(), self.shape())) {
            throw new IllegalArgumentException("in-place result of shape " + v.shapeString()
                    + " does not fit the destination of shape " + self.shapeString());
        }
        Dispatch.copyInto(self, v.storage() == self.storage() ? Dispatch.copy(v) : v);
        self.storage().bumpVersion();
        return self;
    }

    private static void checkWritable(String op, Tensor self) {
        if (GradMode.isEnabled() && self.requiresGrad() && self.gradFn() == null) {
            throw new IllegalStateException(op + ": a leaf tensor of shape " + self.shapeString()
                    + " that requires grad cannot be modified in place while grad mode is on (use GradMode.noGrad())");
        }
        if (!self.dtype().isCompute() && self.dtype() != DType.I64 && self.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": cannot write in place into a " + self.dtype() + " tensor");
        }
        int[] shape = self.shape(), strides = self.strides();
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                throw new IllegalArgumentException(op + ": the destination of shape " + self.shapeString()
                        + " is expanded along dim " + d + " (stride 0), so several of its elements are one memory "
                        + "location; clone() it first");
            }
        }
    }
}
