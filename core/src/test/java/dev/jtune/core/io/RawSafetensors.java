package dev.jtune.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-made safetensors files, well formed or not, for the tests: an 8-byte length, a header, data bytes. */
final class RawSafetensors {

    private RawSafetensors() {}

    /** Writes {@code headerLength} (as little-endian u64), the header's UTF-8 bytes, then {@code data}. */
    static Path write(Path file, long headerLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(headerLength).put(header).put(data);
        return Files.write(file, bytes.array());
    }

    /** A file whose header length is right: the JSON header, then {@code data}. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return write(file, json.length, json, data);
    }

    /** Little-endian bytes of longs. */
    static byte[] longs(long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) bytes.putLong(v);
        return bytes.array();
    }
}
