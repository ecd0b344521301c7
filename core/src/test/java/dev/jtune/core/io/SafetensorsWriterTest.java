package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** What {@link SafetensorsWriter} writes: the reference layout, every dtype back as written, atomic replacement. */
class SafetensorsWriterTest {

    @TempDir
    Path dir;

    /** Bytes the reference implementation writes, from the unit tests of the safetensors crate ({@code tensor.rs}). */
    @Test
    void writesTheSameBytesAsTheReferenceImplementation() throws IOException {
        Path file = dir.resolve("ref.safetensors");
        new SafetensorsWriter().addFloats("attn.0", new long[] {1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5}).write(file);
        String header = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        assertArrayEquals(concat(RawSafetensors.longs(64), ascii(header), floatBytes(0, 1, 2, 3, 4, 5)),
                Files.readAllBytes(file));

        new SafetensorsWriter().addFloats("attn0", new long[] {1, 1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5}).write(file);
        header = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ";
        assertArrayEquals(concat(RawSafetensors.longs(72), ascii(header), floatBytes(0, 1, 2, 3, 4, 5)),
                Files.readAllBytes(file), "header padded with spaces to a multiple of 8");

        new SafetensorsWriter().write(file);
        assertArrayEquals(concat(RawSafetensors.longs(8), ascii("{}      ")), Files.readAllBytes(file));

        new SafetensorsWriter().metadata("framework", "pt").write(file);
        assertArrayEquals(concat(RawSafetensors.longs(40), ascii("{\"__metadata__\":{\"framework\":\"pt\"}}     ")),
                Files.readAllBytes(file));
    }

    @Test
    void everyDtypeReadsBackAsWritten() throws IOException {
        float[] floats = {1.5f, -0f, Float.MIN_VALUE, Float.POSITIVE_INFINITY, 3.14159f, -65504f};
        double[] doubles = {Math.PI, -0.0, Double.MIN_VALUE, 1e300, Double.NEGATIVE_INFINITY, 2.5};
        short[] bits = {0x3F80, (short) 0x8000, 0x0001, 0x7F80, 0x7FC1, (short) 0xC2F7};
        long[] shape = {2, 3};
        Path file = dir.resolve("all.safetensors");
        new SafetensorsWriter()
                .addFloats("f32", shape, floats)
                .addFloats("f32 as f64", shape, floats, DType.F64)
                .addFloats("f32 as bf16", shape, floats, DType.BF16)
                .addFloats("f32 as f16", shape, floats, DType.F16)
                .addDoubles("f64", shape, doubles)
                .addDoubles("f64 as f32", shape, doubles, DType.F32)
                .addShorts("bf16 bits", shape, bits, DType.BF16)
                .addShorts("f16 bits", shape, bits, DType.F16)
                .addInts("i32", shape, new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 7, -100})
                .addLongs("i64", shape, new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 50256, -100})
                .addBools("bool", shape, new boolean[] {true, false, false, true, true, false})
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertBits(floats, st.readFloats("f32"));
            assertBits(floats, st.readFloats("f32 as f64"));
            assertArrayEquals(toDoubles(floats), st.readDoubles("f32 as f64"));
            for (int i = 0; i < floats.length; i++) {
                assertEquals(HalfFloats.floatToBf16(floats[i]), st.readShorts("f32 as bf16")[i]);
                assertEquals(HalfFloats.floatToF16(floats[i]), st.readShorts("f32 as f16")[i]);
                assertEquals((float) doubles[i], st.readFloats("f64 as f32")[i]);
                assertEquals(HalfFloats.bf16ToFloat(bits[i]), st.readFloats("bf16 bits")[i]);
                assertEquals(HalfFloats.f16ToFloat(bits[i]), st.readFloats("f16 bits")[i]);
            }
            assertArrayEquals(doubles, st.readDoubles("f64"));
            assertArrayEquals(bits, st.readShorts("bf16 bits"));
            assertArrayEquals(bits, st.readShorts("f16 bits"));
            assertArrayEquals(new int[] {0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, 7, -100}, st.readInts("i32"));
            assertArrayEquals(new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 50256, -100}, st.readLongs("i64"));
            assertArrayEquals(new int[] {1, 0, 0, 1, 1, 0}, st.readInts("bool"));
            assertEquals(SafetensorsDType.BOOL, st.info("bool").dtype());
            assertArrayEquals(shape, st.info("f16 bits").shape());
        }
    }

    /** A tensor's storage may be a longer pooled array: the writer takes the slice in place, past its 1 MiB buffer. */
    @Test
    void slicesOfLongerArraysAreWrittenFromTheirOffset() throws IOException {
        int n = 300_001, at = 7;  // more floats than one buffer of 1 MiB holds
        float[] floats = new float[at + n + 5];
        short[] bits = new short[at + n + 5];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = i * 0.5f - 3;
            bits[i] = (short) (i * 31);
        }
        Path file = dir.resolve("slices.safetensors");
        new SafetensorsWriter().addFloats("f", new long[] {n}, floats, at)
                .addShorts("b", new long[] {1, n}, bits, at, DType.BF16).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertBits(java.util.Arrays.copyOfRange(floats, at, at + n), st.readFloats("f"));
            assertArrayEquals(java.util.Arrays.copyOfRange(bits, at, at + n), st.readShorts("b"));
        }
        SafetensorsWriter w = new SafetensorsWriter();
        assertMessage("x: shape [4] from element 3 does not fit an array of 6",
                () -> w.addFloats("x", new long[] {4}, new float[6], 3));
        assertMessage("x: shape [1] from element -1 does not fit an array of 6",
                () -> w.addShorts("x", new long[] {1}, new short[6], -1, DType.F16));
        assertMessage("x: raw 16-bit values are stored as BF16 or F16, not F32",
                () -> w.addShorts("x", new long[] {1}, new short[6], 0, DType.F32));
    }

    @Test
    void scalarsAndEmptyTensorsRoundTrip() throws IOException {
        Path file = dir.resolve("edge.safetensors");
        new SafetensorsWriter()
                .addFloats("scalar", new long[0], new float[] {42f})
                .addFloats("empty", new long[] {0, 5}, new float[0])
                .addLongs("also empty", new long[] {3, 0}, new long[0])
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {42f}, st.readFloats("scalar"));
            assertArrayEquals(new long[0], st.info("scalar").shape());
            assertEquals(0, st.readFloats("empty").length);
            assertArrayEquals(new long[] {3, 0}, st.info("also empty").shape());
        }
    }

    @Test
    void dataIsOrderedByDecreasingAlignmentThenNameLikeSaveFile() throws IOException {
        Path file = dir.resolve("order.safetensors");
        new SafetensorsWriter()
                .addBools("b", new long[] {1}, new boolean[] {true})
                .addFloats("z", new long[] {1}, new float[] {1})
                .addFloats("a", new long[] {1}, new float[] {1})
                .addLongs("c", new long[] {1}, new long[] {1})
                .addShorts("e", new long[] {1}, new short[] {1}, DType.BF16)
                .addDoubles("d", new long[] {1}, new double[] {1})
                .write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("c", "d", "a", "z", "e", "b"), st.names());
        }
        String header = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertTrue(header.indexOf("\"c\"") < header.indexOf("\"d\"") && header.indexOf("\"z\"") < header.indexOf("\"e\""),
                "the header lists tensors in data order");
    }

    @Test
    void metadataReadsBack() throws IOException {
        Path file = dir.resolve("meta.safetensors");
        new SafetensorsWriter().metadata("format", "pt").metadata("note", "ünïcødé \"quoted\"")
                .addInts("x", new long[] {1}, new int[] {1}).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "ünïcødé \"quoted\""), st.metadata());
        }
    }

    @Test
    void failedWriteLeavesThePreviousFileIntactAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {2}, new float[] {1, 2}).write(file);
        byte[] before = Files.readAllBytes(file);

        SafetensorsWriter failing = new SafetensorsWriter()
                .addFloats("w", new long[] {3}, new float[] {7, 8, 9})
                .addFloats("x", new long[] {1 << 20}, new float[1 << 20]);
        failing.hook(name -> {
            if (name.equals("x")) throw new IOException("disk full (simulated) before " + name);
        });
        IOException e = assertThrows(IOException.class, () -> failing.write(file));
        assertTrue(e.getMessage().contains("simulated"));

        assertArrayEquals(before, Files.readAllBytes(file));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1, 2}, st.readFloats("w"));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void writeReplacesTheFileWhileAnOpenReaderKeepsTheOldContent() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {2}, new float[] {1, 2}).write(file);
        try (SafetensorsFile old = SafetensorsFile.open(file)) {
            new SafetensorsWriter().addFloats("w", new long[] {3}, new float[] {7, 8, 9}).write(file);
            assertArrayEquals(new float[] {1, 2}, old.readFloats("w"), "the rename leaves the mapped file alone");
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {7, 8, 9}, st.readFloats("w"));
        }
    }

    @Test
    void writeIntoAMissingDirectoryFailsWithoutCreatingAnything() {
        Path file = dir.resolve("missing/model.safetensors");
        assertThrows(NoSuchFileException.class,
                () -> new SafetensorsWriter().addInts("x", new long[] {1}, new int[] {1}).write(file));
        assertTrue(Files.notExists(file.getParent()));
    }

    @Test
    void badEntriesAreRejectedWhenAdded() {
        SafetensorsWriter w = new SafetensorsWriter().addFloats("w", new long[] {2}, new float[2]);
        assertMessage("w: added twice", () -> w.addFloats("w", new long[] {2}, new float[2]));
        assertMessage("x: shape [2, 3] holds 6 elements but the array has 5",
                () -> w.addFloats("x", new long[] {2, 3}, new float[5]));
        assertMessage("x: negative dimension in [-1]", () -> w.addInts("x", new long[] {-1}, new int[0]));
        assertMessage("x: shape [4294967296, 4294967296] holds more than 2^63 elements",
                () -> w.addInts("x", new long[] {1L << 32, 1L << 32}, new int[0]));
        assertMessage("'__metadata__' is reserved", () -> w.addInts("__metadata__", new long[] {1}, new int[1]));
        assertMessage("x: floats cannot be stored as I32", () -> w.addFloats("x", new long[] {1}, new float[1], DType.I32));
        assertMessage("x: doubles cannot be stored as BF16",
                () -> w.addDoubles("x", new long[] {1}, new double[1], DType.BF16));
        assertMessage("x: raw 16-bit values are stored as BF16 or F16, not I32",
                () -> w.addShorts("x", new long[] {1}, new short[1], DType.I32));
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), () -> "'" + expected + "' in: " + e.getMessage());
    }

    private static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "element " + i);
        }
    }

    private static double[] toDoubles(float[] floats) {
        double[] d = new double[floats.length];
        for (int i = 0; i < d.length; i++) d[i] = floats[i];
        return d;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] floatBytes(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
