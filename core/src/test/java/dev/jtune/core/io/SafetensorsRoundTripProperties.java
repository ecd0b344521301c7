package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property: any set of tensors (any names, every dtype the writer stores, shapes with zero, one or several
 * dimensions, sizes including 0, arbitrary bit patterns, NaN payloads included) and any metadata written by
 * {@link SafetensorsWriter} reads back bit for bit, with the same dtypes and shapes, each tensor aligned to its
 * element size.
 */
class SafetensorsRoundTripProperties {

    /** One tensor to write: its random content is made from {@code seed}. */
    record Spec(String name, DType dtype, long[] shape, long seed) {
        int numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return (int) n;
        }
    }

    private static final List<DType> WRITTEN = List.of(DType.values());
    private static Path dir;

    @BeforeContainer
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("jtune-roundtrip");
    }

    @AfterContainer
    static void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Provide
    Arbitrary<List<Spec>> tensors() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange(' ', '~').withChars("éü中\"\\\t")
                .ofMaxLength(10).filter(n -> !n.equals("__metadata__"));
        Arbitrary<long[]> shapes = Arbitraries.longs().between(0, 5).array(long[].class).ofMaxSize(3);
        Arbitrary<Spec> spec = Combinators.combine(names, Arbitraries.of(WRITTEN), shapes, Arbitraries.longs())
                .as(Spec::new);
        return spec.list().ofMaxSize(8).uniqueElements(Spec::name);
    }

    @Provide
    Arbitrary<Map<String, String>> metadata() {
        Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').withChars("é中\n").ofMaxLength(8);
        return Arbitraries.maps(text, text).ofMaxSize(3);
    }

    @Property(tries = 200)
    void anySetOfTensorsRoundTripsBitForBit(@ForAll("tensors") List<Spec> specs,
                                            @ForAll("metadata") Map<String, String> metadata) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        metadata.forEach(writer::metadata);
        for (Spec s : specs) add(writer, s);
        Path file = dir.resolve("roundtrip.safetensors");
        writer.write(file);

        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "the data area starts 8-byte aligned");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(metadata, st.metadata());
            assertEquals(new HashSet<>(specs.stream().map(Spec::name).toList()), new HashSet<>(st.names()));
            for (Spec s : specs) {
                TensorInfo info = st.info(s.name());
                assertEquals(SafetensorsDType.of(s.dtype()), info.dtype(), s.name());
                assertArrayEquals(s.shape(), info.shape(), s.name());
                assertEquals(0, info.begin() % info.dtype().byteSize(), "aligned to its element size: " + info);
                assertReadsBack(st, s);
            }
        }
    }

    private static void add(SafetensorsWriter writer, Spec s) {
        SplittableRandom random = new SplittableRandom(s.seed());
        int n = s.numel();
        switch (s.dtype()) {
            case F32 -> writer.addFloats(s.name(), s.shape(), floats(random, n));
            case F64 -> writer.addDoubles(s.name(), s.shape(), doubles(random, n));
            case BF16, F16 -> writer.addShorts(s.name(), s.shape(), shorts(random, n), s.dtype());
            case I32 -> writer.addInts(s.name(), s.shape(), random.ints(n).toArray());
            case I64 -> writer.addLongs(s.name(), s.shape(), random.longs(n).toArray());
            case BOOL -> writer.addBools(s.name(), s.shape(), bools(random, n));
        }
    }

    private static void assertReadsBack(SafetensorsFile st, Spec s) throws IOException {
        SplittableRandom random = new SplittableRandom(s.seed());
        int n = s.numel();
        String name = s.name();
        switch (s.dtype()) {
            case F32 -> assertArrayEquals(bits(floats(random, n)), bits(st.readFloats(name)), name);
            case F64 -> {
                double[] expected = doubles(random, n), actual = st.readDoubles(name);
                for (int i = 0; i < n; i++) {
                    assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]), name);
                }
            }
            case BF16, F16 -> {
                short[] expected = shorts(random, n);
                assertArrayEquals(expected, st.readShorts(name), name);
                float[] widened = st.readFloats(name);
                for (int i = 0; i < n; i++) {
                    float f = s.dtype() == DType.BF16 ? HalfFloats.bf16ToFloat(expected[i])
                            : HalfFloats.f16ToFloat(expected[i]);
                    assertEquals(Float.floatToRawIntBits(f), Float.floatToRawIntBits(widened[i]), name);
                }
            }
            case I32 -> assertArrayEquals(random.ints(n).toArray(), st.readInts(name), name);
            case I64 -> assertArrayEquals(random.longs(n).toArray(), st.readLongs(name), name);
            case BOOL -> {
                boolean[] expected = bools(random, n);
                int[] actual = st.readInts(name);
                for (int i = 0; i < n; i++) assertEquals(expected[i] ? 1 : 0, actual[i], name);
            }
        }
    }

    private static float[] floats(SplittableRandom random, int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) f[i] = Float.intBitsToFloat(random.nextInt());
        return f;
    }

    private static int[] bits(float[] f) {
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) b[i] = Float.floatToRawIntBits(f[i]);
        return b;
    }

    private static double[] doubles(SplittableRandom random, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = Double.longBitsToDouble(random.nextLong());
        return d;
    }

    private static short[] shorts(SplittableRandom random, int n) {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) s[i] = (short) random.nextInt();
        return s;
    }

    private static boolean[] bools(SplittableRandom random, int n) {
        boolean[] b = new boolean[n];
        for (int i = 0; i < n; i++) b[i] = random.nextBoolean();
        return b;
    }
}
