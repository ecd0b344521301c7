package dev.jtune.core.io;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Copies one tensor's little-endian bytes out of a file mapping into a Java array, converting the element type. Same
 * types are one bulk copy; 16-bit floats go through a small buffer of raw bits, chunk by chunk, so the conversion loop
 * runs over a plain array that stays in cache.
 */
final class TensorDecoder {

    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final int CHUNK = 8192;

    private final Path file;
    private final TensorInfo t;
    private final MemorySegment src; // the tensor's bytes, t.byteSize() long

    TensorDecoder(Path file, TensorInfo t, MemorySegment src) {
        this.file = file;
        this.t = t;
        this.src = src;
    }

    float[] floats() throws SafetensorsException {
        float[] out = new float[length()];
        floats(out);
        return out;
    }

    void floats(float[] out) throws SafetensorsException {
        int length = length();
        if (out.length < length) {
            throw new IllegalArgumentException(file + ": tensor " + t.name() + " has " + length
                    + " elements, the destination only " + out.length);
        }
        switch (t.dtype()) {
            case F32 -> MemorySegment.copy(src, FLOAT, 0, out, 0, length);
            case BF16 -> {
                short[] buf = new short[Math.min(CHUNK, length)];
                for (int start = 0; start < length; start += CHUNK) {
                    int n = Math.min(CHUNK, length - start);
                    MemorySegment.copy(src, SHORT, 2L * start, buf, 0, n);
                    for (int i = 0; i < n; i++) out[start + i] = HalfFloats.bf16ToFloat(buf[i]);
                }
            }
            case F16 -> {
                short[] buf = new short[Math.min(CHUNK, length)];
                for (int start = 0; start < length; start += CHUNK) {
                    int n = Math.min(CHUNK, length - start);
                    MemorySegment.copy(src, SHORT, 2L * start, buf, 0, n);
                    for (int i = 0; i < n; i++) out[start + i] = HalfFloats.f16ToFloat(buf[i]);
                }
            }
            case F64 -> {
                double[] buf = new double[Math.min(CHUNK, length)];
                for (int start = 0; start < length; start += CHUNK) {
                    int n = Math.min(CHUNK, length - start);
                    MemorySegment.copy(src, DOUBLE, 8L * start, buf, 0, n);
                    for (int i = 0; i < n; i++) out[start + i] = (float) buf[i]; // round to nearest even
                }
            }
            default -> throw wrongType("floats", "readInts or readLongs");
        }
    }

    double[] doubles() throws SafetensorsException {
        if (t.dtype() == SafetensorsDType.F64) {
            double[] out = new double[length()];
            MemorySegment.copy(src, DOUBLE, 0, out, 0, out.length);
            return out;
        }
        if (!t.dtype().isFloating()) throw wrongType("doubles", "readInts or readLongs");
        float[] narrow = floats();
        double[] out = new double[narrow.length];
        for (int i = 0; i < out.length; i++) out[i] = narrow[i];
        return out;
    }

    long[] longs() throws SafetensorsException {
        long[] out = new long[length()];
        switch (t.dtype()) {
            case I64 -> MemorySegment.copy(src, LONG, 0, out, 0, out.length);
            case U64 -> {
                MemorySegment.copy(src, LONG, 0, out, 0, out.length);
                for (int i = 0; i < out.length; i++) {
                    if (out[i] < 0) throw outOfRange(i, Long.toUnsignedString(out[i]), "a long");
                }
            }
            case I32 -> { for (int i = 0; i < out.length; i++) out[i] = src.get(INT, 4L * i); }
            case U32 -> { for (int i = 0; i < out.length; i++) out[i] = Integer.toUnsignedLong(src.get(INT, 4L * i)); }
            case F16, BF16, F32, F64 -> throw wrongType("longs", "readFloats or readDoubles");
            default -> {
                int[] narrow = ints();
                for (int i = 0; i < out.length; i++) out[i] = narrow[i];
            }
        }
        return out;
    }

    int[] ints() throws SafetensorsException {
        int[] out = new int[length()];
        switch (t.dtype()) {
            case I32 -> MemorySegment.copy(src, INT, 0, out, 0, out.length);
            case I16 -> { for (int i = 0; i < out.length; i++) out[i] = src.get(SHORT, 2L * i); }
            case U16 -> { for (int i = 0; i < out.length; i++) out[i] = Short.toUnsignedInt(src.get(SHORT, 2L * i)); }
            case I8 -> { for (int i = 0; i < out.length; i++) out[i] = src.get(JAVA_BYTE, i); }
            case U8 -> { for (int i = 0; i < out.length; i++) out[i] = Byte.toUnsignedInt(src.get(JAVA_BYTE, i)); }
            case BOOL -> { for (int i = 0; i < out.length; i++) out[i] = src.get(JAVA_BYTE, i) != 0 ? 1 : 0; }
            case I64, U32, U64 -> {
                long[] wide = longs();
                for (int i = 0; i < out.length; i++) {
                    if (wide[i] != (int) wide[i]) throw outOfRange(i, Long.toString(wide[i]), "an int");
                    out[i] = (int) wide[i];
                }
            }
            default -> throw wrongType("ints", "readFloats or readDoubles");
        }
        return out;
    }

    short[] shorts() throws SafetensorsException {
        short[] out = new short[length()];
        shorts(out);
        return out;
    }

    /** The raw 16-bit elements into the first elements of {@code out}. */
    void shorts(short[] out) throws SafetensorsException {
        if (t.dtype().byteSize() != 2) throw wrongType("raw 16-bit values", "another read method");
        int length = length();
        if (out.length < length) {
            throw new IllegalArgumentException(file + ": tensor " + t.name() + " has " + length
                    + " elements, the destination only " + out.length);
        }
        MemorySegment.copy(src, SHORT, 0, out, 0, length);
    }

    /** The element count as an array length. */
    private int length() throws SafetensorsException {
        long n = t.numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException(file, t.name(), n + " elements do not fit in a Java array");
        }
        return (int) n;
    }

    private SafetensorsException wrongType(String what, String instead) {
        return new SafetensorsException(file, t.name(), "dtype " + t.dtype() + " cannot be read as " + what
                + " (use " + instead + ")");
    }

    private SafetensorsException outOfRange(int index, String value, String javaType) {
        return new SafetensorsException(file, t.name(), "element " + index + " = " + value + " does not fit in "
                + javaType);
    }
}
