package dev.jtune.core.io;

import static dev.jtune.core.io.TensorDecoder.DOUBLE;
import static dev.jtune.core.io.TensorDecoder.FLOAT;
import static dev.jtune.core.io.TensorDecoder.INT;
import static dev.jtune.core.io.TensorDecoder.LONG;
import static dev.jtune.core.io.TensorDecoder.SHORT;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jtune.core.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Collects named tensors (shape plus a primitive array) and string metadata, then writes them as one safetensors file,
 * atomically: into a temporary file beside the target, flushed to disk, then renamed over the target. A failed write
 * leaves the previous file untouched and no temporary file behind.
 *
 * <p>The layout is the one of the reference implementation ({@code safetensors.torch.save_file}): data ordered by
 * decreasing dtype alignment, then by name; the header lists {@code __metadata__} first (when there is any) and the
 * tensors in data order, as compact JSON padded with spaces to a multiple of 8 bytes, so every tensor is aligned to
 * its element size. Writing back what {@code save_file} wrote gives the same bytes.
 *
 * <p>The arrays are not copied: they are read when {@link #write} runs and must not change before.
 */
public final class SafetensorsWriter {

    private static final int BUFFER_BYTES = 1 << 20;

    /** Writes {@code count} elements of a source array, from element {@code from}, as little-endian bytes. */
    private interface Encoder {
        void encode(int from, int count, MemorySegment dst);
    }

    private record Entry(String name, SafetensorsDType dtype, long[] shape, int numel, Encoder encoder) {}

    /** Runs before each tensor's data is written; tests use it to fail a write halfway. */
    interface WriteHook {
        void beforeTensor(String name) throws IOException;
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new TreeMap<>();
    private WriteHook hook = name -> {};

    /** Adds a metadata entry ({@code __metadata__}); transformers writes {@code format = pt}. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds an F32 tensor. */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] data) {
        return addFloats(name, shape, data, DType.F32);
    }

    /**
     * Adds a tensor of floats stored as {@code storage}: F32, F64 (exact), or BF16 or F16, rounded to nearest even as
     * {@link HalfFloats} does.
     */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] data, DType storage) {
        Encoder encoder = switch (storage) {
            case F32 -> (from, n, dst) -> MemorySegment.copy(data, from, dst, FLOAT, 0, n);
            case F64 -> (from, n, dst) -> {
                for (int i = 0; i < n; i++) dst.setAtIndex(DOUBLE, i, data[from + i]);
            };
            case BF16 -> (from, n, dst) -> {
                for (int i = 0; i < n; i++) dst.setAtIndex(SHORT, i, HalfFloats.floatToBf16(data[from + i]));
            };
            case F16 -> (from, n, dst) -> {
                for (int i = 0; i < n; i++) dst.setAtIndex(SHORT, i, HalfFloats.floatToF16(data[from + i]));
            };
            default -> throw new IllegalArgumentException(name + ": floats cannot be stored as " + storage);
        };
        return add(name, storage, shape, data.length, encoder);
    }

    /**
     * Adds an F32 tensor held in {@code data} from element {@code offset} on (a tensor's storage, which a pooled
     * buffer may make longer than the tensor), written from there without a copy.
     */
    public SafetensorsWriter addFloats(String name, long[] shape, float[] data, int offset) {
        int numel = slice(name, shape, offset, data.length);
        return add(name, DType.F32, shape, numel, (from, n, dst) -> MemorySegment.copy(data, offset + from, dst, FLOAT, 0, n));
    }

    /** Adds an F64 tensor. */
    public SafetensorsWriter addDoubles(String name, long[] shape, double[] data) {
        return addDoubles(name, shape, data, DType.F64);
    }

    /** Adds a tensor of doubles stored as {@code storage}: F64, or F32 rounded to nearest even. */
    public SafetensorsWriter addDoubles(String name, long[] shape, double[] data, DType storage) {
        Encoder encoder = switch (storage) {
            case F64 -> (from, n, dst) -> MemorySegment.copy(data, from, dst, DOUBLE, 0, n);
            case F32 -> (from, n, dst) -> {
                for (int i = 0; i < n; i++) dst.setAtIndex(FLOAT, i, (float) data[from + i]);
            };
            default -> throw new IllegalArgumentException(name + ": doubles cannot be stored as " + storage);
        };
        return add(name, storage, shape, data.length, encoder);
    }

    /** Adds an I32 tensor. */
    public SafetensorsWriter addInts(String name, long[] shape, int[] data) {
        return add(name, DType.I32, shape, data.length, (from, n, dst) -> MemorySegment.copy(data, from, dst, INT, 0, n));
    }

    /** Adds an I64 tensor. */
    public SafetensorsWriter addLongs(String name, long[] shape, long[] data) {
        return add(name, DType.I64, shape, data.length, (from, n, dst) -> MemorySegment.copy(data, from, dst, LONG, 0, n));
    }

    /** Adds a BF16 or F16 tensor from its raw 16-bit patterns, written as they are. */
    public SafetensorsWriter addShorts(String name, long[] shape, short[] bits, DType storage) {
        return addShorts(name, shape, storage, bits.length, (from, n, dst) -> MemorySegment.copy(bits, from, dst, SHORT, 0, n));
    }

    private SafetensorsWriter addShorts(String name, long[] shape, DType storage, int length, Encoder encoder) {
        if (storage != DType.BF16 && storage != DType.F16) {
            throw new IllegalArgumentException(name + ": raw 16-bit values are stored as BF16 or F16, not " + storage);
        }
        return add(name, storage, shape, length, encoder);
    }

    /** As {@link #addShorts(String, long[], short[], DType)}, the bits held in {@code bits} from {@code offset} on. */
    public SafetensorsWriter addShorts(String name, long[] shape, short[] bits, int offset, DType storage) {
        int numel = slice(name, shape, offset, bits.length);
        return addShorts(name, shape, storage, numel,
                (from, n, dst) -> MemorySegment.copy(bits, offset + from, dst, SHORT, 0, n));
    }

    /** The element count of {@code shape}, checked to lie within an array of {@code length} from {@code offset}. */
    private static int slice(String name, long[] shape, int offset, int length) {
        long numel = SafetensorsHeader.product(shape, 1);
        if (offset < 0 || numel < 0 || offset + numel > length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " from element " + offset
                    + " does not fit an array of " + length);
        }
        return (int) numel;
    }

    /** Adds a BOOL tensor (one byte per element, 0 or 1). */
    public SafetensorsWriter addBools(String name, long[] shape, boolean[] data) {
        return add(name, DType.BOOL, shape, data.length, (from, n, dst) -> {
            for (int i = 0; i < n; i++) dst.set(ValueLayout.JAVA_BYTE, i, (byte) (data[from + i] ? 1 : 0));
        });
    }

    private SafetensorsWriter add(String name, DType storage, long[] shape, int length, Encoder encoder) {
        if (name.equals(SafetensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved for the metadata, not a tensor name");
        }
        if (entries.containsKey(name)) throw new IllegalArgumentException(name + ": added twice");
        if (Arrays.stream(shape).anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
        }
        long numel = SafetensorsHeader.product(shape, 1);
        if (numel != length) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds "
                    + (numel < 0 ? "more than 2^63" : numel) + " elements but the array has " + length);
        }
        entries.put(name, new Entry(name, SafetensorsDType.of(storage), shape.clone(), length, encoder));
        return this;
    }

    /** Lets a test fail the write before a given tensor. */
    void hook(WriteHook hook) {
        this.hook = hook;
    }

    /**
     * Writes the file atomically: to a temporary file in the same directory, forced to disk, then moved over
     * {@code file}. On failure the temporary file is deleted and {@code file} is as it was.
     */
    public void write(Path file) throws IOException {
        List<Entry> layout = layout();
        byte[] header = header(layout);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeAll(out, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
                writeAll(out, ByteBuffer.wrap(header));
                writeData(out, layout);
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** The entries in data order: decreasing dtype alignment, then name (UTF-8 byte order, as Rust compares). */
    private List<Entry> layout() {
        List<Entry> layout = new ArrayList<>(entries.values());
        layout.sort(Comparator.comparing(Entry::dtype, Comparator.reverseOrder())
                .thenComparing((a, b) -> Arrays.compareUnsigned(
                        a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8))));
        return layout;
    }

    private byte[] header(List<Entry> layout) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = new JsonFactory().createGenerator(bytes)) {
            json.writeStartObject();
            if (!metadata.isEmpty()) {
                json.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) json.writeStringField(m.getKey(), m.getValue());
                json.writeEndObject();
            }
            long offset = 0;
            for (Entry e : layout) {
                long end = offset + (long) e.numel() * e.dtype().byteSize();
                json.writeObjectFieldStart(e.name());
                json.writeStringField("dtype", e.dtype().name());
                json.writeArrayFieldStart("shape");
                for (long d : e.shape()) json.writeNumber(d);
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                json.writeNumber(end);
                json.writeEndArray();
                json.writeEndObject();
                offset = end;
            }
            json.writeEndObject();
        }
        while (bytes.size() % 8 != 0) bytes.write(' ');
        return bytes.toByteArray();
    }

    private void writeData(FileChannel out, List<Entry> layout) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(BUFFER_BYTES, 8);
            for (Entry e : layout) {
                hook.beforeTensor(e.name());
                int size = e.dtype().byteSize();
                int chunk = BUFFER_BYTES / size;
                for (int from = 0; from < e.numel(); from += chunk) {
                    int n = Math.min(chunk, e.numel() - from);
                    e.encoder().encode(from, n, buffer);
                    writeAll(out, buffer.asSlice(0, (long) n * size).asByteBuffer());
                }
            }
        }
    }

    private static void writeAll(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) out.write(bytes);
    }

    /** Makes the rename durable. Some platforms cannot open a directory; there the data is durable, the name may not be. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException unsupported) {
            // The file itself was forced before the rename; nothing more can be done here.
        }
    }
}
