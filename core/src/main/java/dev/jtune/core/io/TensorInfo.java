package dev.jtune.core.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the header says about one tensor: its name, element type, shape, and the byte span {@code [begin, end)} of its
 * data, relative to the start of the data area (the header's {@code data_offsets}).
 *
 * @param shape dimensions, outermost first; empty for a scalar (the array is copied in and out)
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape, long begin, long end) {

    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The shape as ints, the way jtune tensors hold it (every dimension of a loadable tensor fits an int). */
    public int[] intShape() {
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new IllegalStateException(this + ": dimension " + i + " does not fit an int");
            }
            dims[i] = (int) shape[i];
        }
        return dims;
    }

    /** The number of elements: the product of the shape (1 for a scalar). */
    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** The number of bytes of data: {@code end - begin}. */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + ": " + dtype + " " + Arrays.toString(shape) + " bytes [" + begin + ", " + end + ")";
    }
}
