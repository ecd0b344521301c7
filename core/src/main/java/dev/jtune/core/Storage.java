package dev.jtune.core;

/**
 * The flat array behind one or more tensors (views share it), and its version counter.
 *
 * <p>The array type follows the dtype: F32 {@code float[]}, F64 {@code double[]}, BF16 and F16 {@code short[]} (raw
 * bits), I32 {@code int[]}, I64 {@code long[]}, BOOL {@code byte[]}. Every in-place write bumps the version, so
 * autograd can tell when a tensor saved for backward was modified.
 */
public final class Storage {

    private final DType dtype;
    private final Object array;
    private int version;

    Storage(DType dtype, Object array) {
        this.dtype = dtype;
        this.array = array;
    }

    /** A zero-filled storage of {@code size} elements. */
    static Storage allocate(DType dtype, int size) {
        return new Storage(dtype, switch (dtype) {
            case F32 -> new float[size];
            case F64 -> new double[size];
            case BF16, F16 -> new short[size];
            case I32 -> new int[size];
            case I64 -> new long[size];
            case BOOL -> new byte[size];
        });
    }

    public DType dtype() {
        return dtype;
    }

    /** How many in-place writes this storage has seen. */
    public int version() {
        return version;
    }

    /** Records an in-place write. */
    public void bumpVersion() {
        version++;
    }

    public int size() {
        return java.lang.reflect.Array.getLength(array);
    }

    public float[] floats() {
        return cast(DType.F32, float[].class);
    }

    public double[] doubles() {
        return cast(DType.F64, double[].class);
    }

    /** The raw 16-bit patterns of a BF16 or F16 storage. */
    public short[] halves() {
        if (dtype != DType.BF16 && dtype != DType.F16) throw wrongType("BF16/F16");
        return (short[]) array;
    }

    public int[] ints() {
        return cast(DType.I32, int[].class);
    }

    public long[] longs() {
        return cast(DType.I64, long[].class);
    }

    public byte[] bools() {
        return cast(DType.BOOL, byte[].class);
    }

    /** The backing array, whatever its type ({@code System.arraycopy} works on any of them). */
    public Object array() {
        return array;
    }

    private <T> T cast(DType expected, Class<T> type) {
        if (dtype != expected) throw wrongType(expected.name());
        return type.cast(array);
    }

    private IllegalStateException wrongType(String expected) {
        return new IllegalStateException("storage holds " + dtype + ", not " + expected);
    }
}
