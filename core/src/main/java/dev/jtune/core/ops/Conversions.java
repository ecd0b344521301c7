package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Storage;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.io.HalfFloats;
import dev.jtune.core.kernels.Strided;
import dev.jtune.core.kernels.simd.SimdConvert;
import java.util.Arrays;
import java.util.function.Function;

/** Element access across dtypes, dtype conversion ({@code to}), and copies to Java arrays. */
public final class Conversions {

    private Conversions() {}

    /** The element at a multi-index, as a double. */
    public static double get(Tensor t, int[] index) {
        if (index.length != t.dim()) {
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of shape " + t.shapeString());
        }
        int[] shape = t.shape(), strides = t.strides();
        int pos = t.offset();
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("get: index " + index[d] + " out of range for dim " + d
                        + " of shape " + t.shapeString());
            }
            pos += index[d] * strides[d];
        }
        return read(t.storage(), pos);
    }

    /** Writes element {@code i} of a fresh contiguous tensor (factories use it). */
    public static void setFlat(Tensor t, int i, double value) {
        write(t.storage(), t.offset() + i, value);
    }

    static double read(Storage s, int pos) {
        return switch (s.dtype()) {
            case F32 -> s.floats()[pos];
            case F64 -> s.doubles()[pos];
            case BF16 -> HalfFloats.bf16ToFloat(s.halves()[pos]);
            case F16 -> HalfFloats.f16ToFloat(s.halves()[pos]);
            case I32 -> s.ints()[pos];
            case I64 -> s.longs()[pos];
            case BOOL -> s.bools()[pos];
        };
    }

    static void write(Storage s, int pos, double v) {
        switch (s.dtype()) {
            case F32 -> s.floats()[pos] = (float) v;
            case F64 -> s.doubles()[pos] = v;
            case BF16 -> s.halves()[pos] = HalfFloats.floatToBf16((float) v);
            case F16 -> s.halves()[pos] = HalfFloats.floatToF16((float) v);
            case I32 -> s.ints()[pos] = (int) v;
            case I64 -> s.longs()[pos] = (long) v;
            case BOOL -> s.bools()[pos] = (byte) (v != 0 ? 1 : 0);
        }
    }

    /** Copies any view {@code a} into the view {@code out} of the same shape and dtype, on the host. */
    static void copyStrided(Tensor out, Tensor a) {
        if (a.numel() == 0) return;
        Object src = a.storage().array(), dst = out.storage().array();
        if (out.isContiguous() && a.isContiguous()) {
            System.arraycopy(src, a.offset(), dst, out.offset(), a.numel());
        } else {
            Strided.forEach(out.shape(), out.offset(), out.strides(), a.offset(), a.strides(),
                    (i, o, ai) -> System.arraycopy(src, ai, dst, o, 1));
        }
    }

    /** The elements of {@code t} in row-major order, as floats. */
    public static float[] toFloatArray(Tensor t) {
        if (t.dtype() == DType.F32) {
            if (t.isContiguous()) return Arrays.copyOfRange(t.storage().floats(), t.offset(), t.offset() + t.numel());
            return readDense(t, c -> Arrays.copyOf(c.storage().floats(), c.numel()));
        }
        double[] d = toDoubleArray(t);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    public static double[] toDoubleArray(Tensor t) {
        return readDense(t, c -> {
            double[] out = new double[c.numel()];
            for (int i = 0; i < out.length; i++) out[i] = read(c.storage(), i);
            return out;
        });
    }

    public static long[] toLongArray(Tensor t) {
        return readDense(t, c -> {
            if (c.dtype() == DType.I64) return Arrays.copyOf(c.storage().longs(), c.numel());
            long[] out = new long[c.numel()];
            for (int i = 0; i < out.length; i++) out[i] = (long) read(c.storage(), i);
            return out;
        });
    }

    /** {@code reader} applied to a dense {@code t}; a dense copy made for it goes back to the pool at once. */
    private static <R> R readDense(Tensor t, Function<Tensor, R> reader) {
        Tensor c = Dispatch.dense(t);
        try {
            return reader.apply(c);
        } finally {
            if (c != t) c.storage().release("after it was copied out to a Java array");
        }
    }

    /** {@code t} converted to {@code dtype}; differentiable between F32 and F64. */
    public static Tensor to(Tensor t, DType dtype) {
        if (t.dtype() == dtype) return t;
        Tensor c = Dispatch.dense(t);
        Tensor out = Tensor.empty(dtype, t.shape());  // every element is written below
        int n = c.numel();
        if (c.dtype() == DType.BF16 && dtype == DType.F32) {  // vectorised, across the threads
            SimdConvert.halfToF32(out.storage().floats(), c.storage().halves(), true, n);
            return out;
        }
        if (c.dtype() == DType.F32 && dtype == DType.BF16) {
            SimdConvert.f32ToBf16(out.storage().halves(), c.storage().floats(), n);
            return out;
        }
        for (int i = 0; i < n; i++) write(out.storage(), i, read(c.storage(), i));
        if (t.dtype().isCompute() && dtype.isCompute()) return out.recordedBy(new Cast(t));
        return out;
    }

    private static final class Cast extends Node {
        private final DType from;

        Cast(Tensor x) {
            super("to", x);
            from = x.dtype();
        }

        @Override
        public Tensor[] backward(Tensor g) {
            return new Tensor[] {to(g, from)};
        }
    }
}
