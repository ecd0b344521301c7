package dev.jtune.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Read access to the tensors of a checkpoint: one safetensors file ({@link SafetensorsFile}) or several shards
 * behind a {@code model.safetensors.index.json} ({@link ShardedSafetensors}). Each read copies one tensor out of the
 * memory-mapped file into a fresh array, converting its element type; close the reader when done.
 *
 * <p>Conversions follow PyTorch: {@link #readFloats} is {@code tensor.float()} (bf16 and f16 widen exactly, f64
 * rounds to nearest even); integer reads widen exactly and fail, naming the element, on a value that does not fit.
 */
public sealed interface SafetensorsReader extends AutoCloseable permits SafetensorsFile, ShardedSafetensors {

    /** The file name of a single-file checkpoint in a Hugging Face model directory. */
    String MODEL_FILE = "model.safetensors";
    /** The file name of the index of a sharded checkpoint in a Hugging Face model directory. */
    String INDEX_FILE = "model.safetensors.index.json";

    /**
     * Opens a checkpoint: a {@code .safetensors} file, an {@code .index.json} file, or a model directory, where
     * {@value #MODEL_FILE} is preferred to {@value #INDEX_FILE}, as transformers does.
     */
    static SafetensorsReader open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path single = path.resolve(MODEL_FILE);
            if (Files.exists(single)) return SafetensorsFile.open(single);
            Path index = path.resolve(INDEX_FILE);
            if (Files.exists(index)) return ShardedSafetensors.open(index);
            throw new SafetensorsException(path, "neither " + MODEL_FILE + " nor " + INDEX_FILE + " in this directory");
        }
        return path.getFileName().toString().endsWith(".index.json")
                ? ShardedSafetensors.open(path)
                : SafetensorsFile.open(path);
    }

    /** The tensor names, in the order of their data (of the index, for a sharded checkpoint). */
    List<String> names();

    /** Whether there is a tensor with this name. */
    boolean contains(String name);

    /** What the header says about a tensor; fails when there is none with this name. */
    TensorInfo info(String name) throws SafetensorsException;

    /** The string-to-string metadata ({@code __metadata__}, or the index's {@code metadata}); empty when absent. */
    Map<String, String> metadata();

    /** The elements of an F32, F16, BF16 or F64 tensor as floats. */
    float[] readFloats(String name) throws SafetensorsException;

    /**
     * As {@link #readFloats(String)}, into the first elements of {@code dst}, which must hold at least the tensor's
     * number of elements (a pooled buffer may be longer).
     */
    void readFloats(String name, float[] dst) throws SafetensorsException;

    /** The elements of an F32, F16, BF16 or F64 tensor as doubles (exact). */
    double[] readDoubles(String name) throws SafetensorsException;

    /** The elements of an integer or BOOL tensor as ints (BOOL gives 0 or 1); fails on a value outside int. */
    int[] readInts(String name) throws SafetensorsException;

    /** The elements of an integer or BOOL tensor as longs (BOOL gives 0 or 1); fails on a U64 above long. */
    long[] readLongs(String name) throws SafetensorsException;

    /** The raw 16-bit elements of an F16, BF16, I16 or U16 tensor (see {@link HalfFloats} for the float ones). */
    short[] readShorts(String name) throws SafetensorsException;

    /**
     * As {@link #readShorts(String)}, into the first elements of {@code dst}, which must hold at least the tensor's
     * number of elements (a pooled buffer may be longer).
     */
    void readShorts(String name, short[] dst) throws SafetensorsException;

    /** Unmaps the file(s); reads after this fail. Closing twice does nothing. */
    @Override
    void close();
}
