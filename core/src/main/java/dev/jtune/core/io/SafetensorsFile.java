package dev.jtune.core.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One safetensors file, memory-mapped. {@link #open} maps the file and validates the whole header (see
 * {@link SafetensorsHeader}) before any tensor can be read, so a malformed file fails there, naming the file and the
 * tensor. Reads copy out of the mapping (see {@link SafetensorsReader}) and then unload what they read; they may run
 * on several threads at once.
 */
public final class SafetensorsFile implements SafetensorsReader {

    private final Path file;
    private final Arena arena;
    private final MemorySegment data; // the data area, which data_offsets index
    private final Map<String, TensorInfo> tensors; // in data order
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, Arena arena, MemorySegment data, SafetensorsHeader header) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        Map<String, TensorInfo> byName = new LinkedHashMap<>();
        for (TensorInfo t : header.tensors()) byName.put(t.name(), t);
        this.tensors = Collections.unmodifiableMap(byName);
        this.metadata = header.metadata();
    }

    /** Maps and validates a safetensors file. */
    public static SafetensorsFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment content = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            SafetensorsHeader header = SafetensorsHeader.parse(file, content);
            return new SafetensorsFile(file, arena, content.asSlice(header.dataStart()), header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** The file this reads. */
    public Path file() {
        return file;
    }

    @Override
    public List<String> names() {
        return List.copyOf(tensors.keySet());
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) throws SafetensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new SafetensorsException(file, name, "no such tensor in this file");
        return t;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public float[] readFloats(String name) throws SafetensorsException {
        return read(name, TensorDecoder::floats);
    }

    @Override
    public void readFloats(String name, float[] dst) throws SafetensorsException {
        read(name, d -> {
            d.floats(dst);
            return null;
        });
    }

    @Override
    public double[] readDoubles(String name) throws SafetensorsException {
        return read(name, TensorDecoder::doubles);
    }

    @Override
    public int[] readInts(String name) throws SafetensorsException {
        return read(name, TensorDecoder::ints);
    }

    @Override
    public long[] readLongs(String name) throws SafetensorsException {
        return read(name, TensorDecoder::longs);
    }

    @Override
    public short[] readShorts(String name) throws SafetensorsException {
        return read(name, TensorDecoder::shorts);
    }

    @Override
    public void readShorts(String name, short[] dst) throws SafetensorsException {
        read(name, d -> {
            d.shorts(dst);
            return null;
        });
    }

    /** One way of decoding a tensor's bytes. */
    private interface Decode<T> {
        T from(TensorDecoder decoder) throws SafetensorsException;
    }

    /**
     * Decodes the tensor's bytes, then unloads them from this process's memory (the page cache keeps the file): a
     * loaded checkpoint is held once, in the arrays it was read into, not also as mapped pages. A later read of the
     * same tensor maps them in again.
     */
    private <T> T read(String name, Decode<T> decode) throws SafetensorsException {
        TensorInfo t = info(name);
        if (!arena.scope().isAlive()) throw new IllegalStateException(file + " is closed");
        MemorySegment bytes = data.asSlice(t.begin(), t.byteSize());
        try {
            return decode.from(new TensorDecoder(file, t, bytes));
        } finally {
            if (bytes.byteSize() > 0) bytes.unload();
        }
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + tensors.size() + " tensors]";
    }
}
