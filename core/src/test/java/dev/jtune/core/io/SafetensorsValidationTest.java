package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of header validation, each broken alone by a hand-made file: opening fails with a
 * {@link SafetensorsException} whose message names the file, the tensor (where there is one) and the problem.
 */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    private static Arguments malformed(String rule, String header, int dataBytes, String... expected) {
        return Arguments.of(rule, header, dataBytes, expected);
    }

    static Stream<Arguments> malformedHeaders() {
        String a = entry("a", "F32", "[2]", 0, 8);
        return Stream.of(
                malformed("bad JSON", "{" + a + ",\"w\":{\"dtype\":", 8, "header is not valid JSON"),
                malformed("not an object", "[1, 2]", 0, "header is not a JSON object"),
                malformed("text after the object", "{" + a + "} {}", 8, "header is not valid JSON", "Trailing token"),
                malformed("duplicate key", "{" + a + "," + a + "}", 8, "not valid JSON", "Duplicate field 'a'"),
                malformed("entry not an object", "{\"w\":3}", 0, "tensor 'w'", "not a JSON object"),
                malformed("unknown dtype", "{" + entry("w", "Q4", "[2]", 0, 8) + "}", 8, "tensor 'w'",
                        "unsupported dtype \"Q4\""),
                malformed("missing dtype", "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 'w'",
                        "no dtype"),
                malformed("negative shape", "{" + entry("w", "F32", "[2,-1]", 0, 8) + "}", 8, "tensor 'w'",
                        "shape is not an array of non-negative integers: [2,-1]"),
                malformed("fractional shape", "{" + entry("w", "F32", "[2.5]", 0, 8) + "}", 8, "tensor 'w'",
                        "shape is not"),
                malformed("one offset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", 8,
                        "tensor 'w'", "data_offsets is not a pair"),
                malformed("begin after end", "{" + entry("w", "F32", "[2]", 8, 0) + "}", 8, "tensor 'w'",
                        "data_offsets [8, 0]: begin is after end"),
                malformed("offset outside the data area", "{" + entry("w", "F32", "[4]", 0, 16) + "}", 8,
                        "tensor 'w'", "data_offsets [0, 16] reach past the end of the data area (8 bytes)"),
                malformed("size mismatch", "{" + entry("w", "F32", "[3]", 0, 8) + "}", 8, "tensor 'w'",
                        "shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8"),
                malformed("shape overflows", "{" + entry("w", "F32", "[4294967296,4294967296]", 0, 8) + "}", 8,
                        "tensor 'w'", "needs more than 2^63 bytes"),
                malformed("overlap", "{" + a + "," + entry("b", "F32", "[2]", 4, 12) + "}", 12, "tensor 'b'",
                        "data_offsets [4, 12] overlap tensor 'a' at [0, 8]"),
                malformed("gap", "{" + a + "," + entry("b", "F32", "[2]", 12, 20) + "}", 20, "tensor 'b'",
                        "leave a gap of 4 bytes after tensor 'a'"),
                malformed("gap at the start", "{" + entry("w", "F32", "[1]", 4, 8) + "}", 8, "tensor 'w'",
                        "gap of 4 bytes after the start of the data area"),
                malformed("trailing bytes", "{" + a + "}", 12,
                        "the data area has 12 bytes but the tensors cover 8 (the last is 'a')"),
                malformed("metadata not a map", "{\"__metadata__\":[1]," + a + "}", 8, "__metadata__ is not"),
                malformed("metadata value not a string", "{\"__metadata__\":{\"step\":1}," + a + "}", 8,
                        "__metadata__ value of 'step' is not a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void malformedHeaderFailsNamingFileAndTensor(String rule, String header, int dataBytes, String[] expected)
            throws IOException {
        Path file = RawSafetensors.write(dir.resolve(rule.replace(' ', '-') + ".safetensors"), header,
                new byte[dataBytes]);
        assertFailsWith(file, expected);
    }

    @Test
    void emptyFileIsTooShort() throws IOException {
        assertFailsWith(Files.write(dir.resolve("empty.safetensors"), new byte[0]),
                "file is 0 bytes, too short for the 8-byte header length");
    }

    @Test
    void truncatedLengthIsTooShort() throws IOException {
        assertFailsWith(Files.write(dir.resolve("five.safetensors"), new byte[5]), "file is 5 bytes");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        assertFailsWith(RawSafetensors.write(dir.resolve("long.safetensors"), 100, header, new byte[0]),
                "header length 100 runs past the end of the file (10 bytes)");
    }

    @Test
    void headerLengthAboveTheLimit() throws IOException {
        assertFailsWith(RawSafetensors.write(dir.resolve("huge.safetensors"), -2, new byte[0], new byte[0]),
                "header length 18446744073709551614 is over the limit");
    }

    @Test
    void truncatedDataFailsAsOffsetsOutsideTheDataArea() throws IOException {
        Path file = dir.resolve("cut.safetensors");
        new SafetensorsWriter().addFloats("w", new long[] {4}, new float[4]).write(file);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
        assertFailsWith(file, "tensor 'w'", "reach past the end of the data area (13 bytes)");
    }

    @Test
    void headerThatIsNotUtf8() throws IOException {
        byte[] header = {'{', '"', (byte) 0xC3, '"', ':', '1', '}', ' '};
        assertFailsWith(RawSafetensors.write(dir.resolve("latin1.safetensors"), header.length, header, new byte[0]),
                "header is not valid JSON");
    }

    private static void assertFailsWith(Path file, String... expected) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(file).close());
        assertTrue(e.getMessage().startsWith(file + ": "), () -> "names the file: " + e.getMessage());
        for (String part : expected) {
            assertTrue(e.getMessage().contains(part), () -> "'" + part + "' in: " + e.getMessage());
        }
    }
}
