package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.backend.BinaryOp;
import java.util.Arrays;

/**
 * In-place writes ({@code add_}, {@code mul_}, {@code copy_}, {@code fill_}). They are not recorded by autograd and
 * bump the storage version, so a tensor saved for backward that is later modified is caught at backward time.
 */
public final class InPlace {

    private InPlace() {}

    public static Tensor add_(Tensor self, Tensor other) {
        checkWritable("add_", self);
        return store(self, Dispatch.binary("add_", BinaryOp.ADD, self, other));
    }

    public static Tensor mul_(Tensor self, double value) {
        checkWritable("mul_", self);
        return store(self, Dispatch.binary("mul_", BinaryOp.MUL, self, Tensor.scalar(value, self.dtype())));
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

    /** Fills a fresh tensor (factories use it; no version bump, no checks). */
    public static void fill(Tensor t, double value) {
        int[] shape = t.shape(), strides = t.strides();
        int n = t.numel();
        if (t.isContiguous()) {
            Object a = t.storage().array();
            switch (t.dtype()) {
                case F32 -> Arrays.fill((float[]) a, t.offset(), t.offset() + n, (float) value);
                case F64 -> Arrays.fill((double[]) a, t.offset(), t.offset() + n, value);
                default -> { for (int i = 0; i < n; i++) Conversions.write(t.storage(), t.offset() + i, value); }
            }
            return;
        }
        forEachPosition(shape, strides, t.offset(), (i, pos) -> Conversions.write(t.storage(), pos, value));
    }

    /** {@code grad += g}, truly in place, for a gradient buffer owned by its leaf (dense, zero offset). */
    public static void addInto(Tensor grad, Tensor g) {
        if (!java.util.Arrays.equals(grad.shape(), g.shape())) {
            throw new IllegalArgumentException("accumulate grad: shape " + g.shapeString() + " into " + grad.shapeString());
        }
        Dispatch.binaryInto("accumulate grad", BinaryOp.ADD, grad, grad, g);
        grad.storage().bumpVersion();
    }

    /** Writes {@code values} (a view with self's shape) into self's elements. */
    private static Tensor store(Tensor self, Tensor values) {
        Tensor v = values.dtype() == self.dtype() ? values : Conversions.to(values, self.dtype());
        if (!Arrays.equals(v.shape(), self.shape())) {
            throw new IllegalArgumentException("in-place result of shape " + v.shapeString()
                    + " does not fit the destination of shape " + self.shapeString());
        }
        Tensor dense = Dispatch.dense(v);
        if (self.isContiguous()) {
            System.arraycopy(dense.storage().array(), 0, self.storage().array(), self.offset(), self.numel());
        } else {
            Object src = dense.storage().array(), dst = self.storage().array();
            forEachPosition(self.shape(), self.strides(), self.offset(), (i, pos) -> System.arraycopy(src, i, dst, pos, 1));
        }
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
    }

    /** Calls {@code body(flatIndex, storagePosition)} for each element in row-major order. */
    static void forEachPosition(int[] shape, int[] strides, int offset, PositionBody body) {
        int n = Shape.numel(shape);
        int[] idx = new int[shape.length];
        int pos = offset;
        for (int i = 0; i < n; i++) {
            body.accept(i, pos);
            for (int d = shape.length - 1; d >= 0; d--) {
                pos += strides[d];
                if (++idx[d] < shape[d]) break;
                pos -= strides[d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    @FunctionalInterface
    interface PositionBody {
        void accept(int flatIndex, int position);
    }
}
