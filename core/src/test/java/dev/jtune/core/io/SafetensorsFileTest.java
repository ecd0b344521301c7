package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading the types jtune never writes (hand-made files of U8, I8, I16, U16, U32, U64, F16), the conversions each read
 * method allows, and the errors of reads that do not fit.
 */
class SafetensorsFileTest {

    @TempDir
    Path dir;

    /** One tensor of each integer type, each holding its extremes: [min, -1 or 1, max] as raw little-endian bytes. */
    private Path integers() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(8 * 3 * 2 + 4 * 3 * 2 + 2 * 3 * 2 + 3 * 3).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(Long.MIN_VALUE).putLong(-1).putLong(Long.MAX_VALUE); // I64 [0, 24)
        data.putLong(0).putLong(1L << 40).putLong(-1);                    // U64 [24, 48): the last is 2^64 - 1
        data.putInt(Integer.MIN_VALUE).putInt(-1).putInt(Integer.MAX_VALUE); // I32 [48, 60)
        data.putInt(0).putInt(7).putInt(-1);                              // U32 [60, 72): the last is 2^32 - 1
        data.putShort(Short.MIN_VALUE).putShort((short) -1).putShort(Short.MAX_VALUE); // I16 [72, 78)
        data.putShort((short) 0).putShort((short) 1).putShort((short) -1); // U16 [78, 84): the last is 65535
        data.put(Byte.MIN_VALUE).put((byte) -1).put(Byte.MAX_VALUE);     // I8 [84, 87)
        data.put((byte) 0).put((byte) 1).put((byte) -1);                  // U8 [87, 90): the last is 255
        data.put((byte) 1).put((byte) 0).put((byte) 2);                   // BOOL [90, 93)
        String header = "{" + String.join(",",
                entry("i64", "I64", 0, 24), entry("u64", "U64", 24, 48), entry("i32", "I32", 48, 60),
                entry("u32", "U32", 60, 72), entry("i16", "I16", 72, 78), entry("u16", "U16", 78, 84),
                entry("i8", "I8", 84, 87), entry("u8", "U8", 87, 90), entry("bool", "BOOL", 90, 93)) + "}";
        return RawSafetensors.write(dir.resolve("ints.safetensors"), header, data.array());
    }

    private static String entry(String name, String dtype, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[3],\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void integerTypesWidenExactlyUnsignedOnesWithoutSign() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(integers())) {
            assertEquals(List.of("i64", "u64", "i32", "u32", "i16", "u16", "i8", "u8", "bool"), st.names());
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, st.readLongs("i64"));
            assertArrayEquals(new long[] {Integer.MIN_VALUE, -1, Integer.MAX_VALUE}, st.readLongs("i32"));
            assertArrayEquals(new long[] {0, 7, 0xFFFF_FFFFL}, st.readLongs("u32"));
            assertArrayEquals(new int[] {Integer.MIN_VALUE, -1, Integer.MAX_VALUE}, st.readInts("i32"));
            assertArrayEquals(new int[] {Short.MIN_VALUE, -1, Short.MAX_VALUE}, st.readInts("i16"));
            assertArrayEquals(new int[] {0, 1, 65535}, st.readInts("u16"));
            assertArrayEquals(new int[] {Byte.MIN_VALUE, -1, Byte.MAX_VALUE}, st.readInts("i8"));
            assertArrayEquals(new int[] {0, 1, 255}, st.readInts("u8"));
            assertArrayEquals(new long[] {0, 1, 255}, st.readLongs("u8"));
            assertArrayEquals(new int[] {1, 0, 1}, st.readInts("bool"), "any non-zero byte is true");
            assertArrayEquals(new short[] {0, 1, -1}, st.readShorts("u16"), "raw bits");
            assertEquals(DType.I32, st.info("u8").dtype().toDType());
            assertEquals(DType.I64, st.info("u32").dtype().toDType());
        }
    }

    @Test
    void valuesThatDoNotFitFailNamingTheElement() throws IOException {
        Path file = integers();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertFails(file + ": tensor 'i64': element 0 = -9223372036854775808 does not fit in an int",
                    () -> st.readInts("i64"));
            assertFails("tensor 'u32': element 2 = 4294967295 does not fit in an int", () -> st.readInts("u32"));
            assertFails("tensor 'u64': element 2 = 18446744073709551615 does not fit in a long",
                    () -> st.readLongs("u64"));
        }
    }

    @Test
    void readsOfTheWrongKindFailNamingTheTensorAndTheAlternative() throws IOException {
        Path file = integers();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertFails(file + ": tensor 'i64': dtype I64 cannot be read as floats (use readInts or readLongs)",
                    () -> st.readFloats("i64"));
            assertFails("tensor 'i32': dtype I32 cannot be read as doubles", () -> st.readDoubles("i32"));
            assertFails("tensor 'i8': dtype I8 cannot be read as raw 16-bit values", () -> st.readShorts("i8"));
            assertFails(file + ": tensor 'nope': no such tensor in this file", () -> st.readFloats("nope"));
            assertFalse(st.contains("nope"));
        }
        Path floats = dir.resolve("floats.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {1}, new float[1]).write(floats);
        try (SafetensorsFile st = SafetensorsFile.open(floats)) {
            assertFails("tensor 'w': dtype F32 cannot be read as ints (use readFloats or readDoubles)",
                    () -> st.readInts("w"));
            assertFails("tensor 'w': dtype F32 cannot be read as longs", () -> st.readLongs("w"));
        }
    }

    @Test
    void f16AndF64ConvertLikeTorch() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 * 4 + 8 * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0x0001).putShort((short) 0xFC00).putShort((short) 0x7BFF);
        data.putDouble(1.0 + 0x1p-24).putDouble(1.0 + 0x1p-24 + 0x1p-50).putDouble(1e39).putDouble(-0.0);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[8,40]}}";
        try (SafetensorsFile st = SafetensorsFile.open(RawSafetensors.write(dir.resolve("f.safetensors"), header,
                data.array()))) {
            assertArrayEquals(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY, 65504f}, st.readFloats("h"));
            assertArrayEquals(new double[] {1, 0x1p-24, Double.NEGATIVE_INFINITY, 65504}, st.readDoubles("h"));
            assertArrayEquals(new float[] {1f, 1f + 0x1p-23f, Float.POSITIVE_INFINITY, -0f}, st.readFloats("d"),
                    "a tie rounds to even, just above it rounds up, too large overflows");
            float[] pooled = {9, 9, 9, 9, 9, 9};  // a pooled buffer may be longer than the tensor: its tail stays
            st.readFloats("h", pooled);
            assertArrayEquals(new float[] {1f, 0x1p-24f, Float.NEGATIVE_INFINITY, 65504f, 9, 9}, pooled);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> st.readFloats("d", new float[3]));
            assertTrue(e.getMessage().endsWith("tensor d has 4 elements, the destination only 3"), e.getMessage());
            short[] raw = {9, 9, 9, 9, 9};  // raw bits into a longer pooled buffer: its tail stays
            st.readShorts("h", raw);
            assertArrayEquals(new short[] {0x3C00, 0x0001, (short) 0xFC00, 0x7BFF, 9}, raw);
            assertArrayEquals(java.util.Arrays.copyOf(raw, 4), st.readShorts("h"));
            e = assertThrows(IllegalArgumentException.class, () -> st.readShorts("h", new short[3]));
            assertTrue(e.getMessage().endsWith("tensor h has 4 elements, the destination only 3"), e.getMessage());
            assertFails("tensor 'd': dtype F64 cannot be read as raw 16-bit values", () -> st.readShorts("d", raw));
        }
    }

    @Test
    void readingAfterCloseFailsAndCloseIsIdempotent() throws IOException {
        Path file = dir.resolve("c.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {1}, new float[1]).write(file);
        SafetensorsFile st = SafetensorsFile.open(file);
        st.close();
        st.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> st.readFloats("w"));
        assertEquals(file + " is closed", e.getMessage());
    }

    @Test
    void openOnAFileOrDirectoryPicksTheFormat() throws IOException {
        new SafetensorsWriter().addFloats("w", new long[] {1}, new float[] {3}).write(dir.resolve("model.safetensors"));
        try (SafetensorsReader r = SafetensorsReader.open(dir)) {
            assertInstanceOf(SafetensorsFile.class, r);
            assertArrayEquals(new float[] {3}, r.readFloats("w"));
        }
        Path empty = dir.resolve("empty");
        java.nio.file.Files.createDirectory(empty);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsReader.open(empty));
        assertTrue(e.getMessage().startsWith(empty + ": neither model.safetensors nor model.safetensors.index.json"));
    }

    private static void assertFails(String expected, Executable read) {
        SafetensorsException e = assertThrows(SafetensorsException.class, read);
        assertTrue(e.getMessage().contains(expected), () -> "'" + expected + "' in: " + e.getMessage());
    }
}
