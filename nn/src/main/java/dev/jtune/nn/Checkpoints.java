package dev.jtune.nn;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.DType;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.io.SafetensorsFile;
import dev.jtune.core.io.SafetensorsReader;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.core.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hugging Face checkpoint directories: {@code model.safetensors} (or a sharded index) in, F32 tensors out, and back. */
public final class Checkpoints {

    private Checkpoints() {}

    /**
     * Every tensor of the checkpoint in {@code dir}, floating types converted to F32 and integers to I64. The whole
     * file is validated before anything is returned.
     */
    public static Map<String, Tensor> loadTensors(Path dir) throws IOException {
        Path file = weightsFile(dir);
        return read(SafetensorsReader.open(file), file);
    }

    /** How many values the checkpoint of {@code dir} holds, from its header alone (nothing is read). */
    public static long storedValues(Path dir) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(weightsFile(dir))) {
            long values = 0;
            for (String name : reader.names()) values += reader.info(name).numel();
            return values;
        }
    }

    /** The file {@link #loadTensors} reads: {@code model.safetensors}, else the sharded checkpoint's index. */
    public static Path weightsFile(Path dir) throws NoSuchFileException {
        Path single = dir.resolve("model.safetensors"), index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(single)) return single;
        if (Files.exists(index)) return index;
        throw new NoSuchFileException(dir + ": no model.safetensors or model.safetensors.index.json");
    }

    /** Every tensor of one safetensors file, converted as {@link #loadTensors}. */
    public static Map<String, Tensor> loadFile(Path file) throws IOException {
        return read(SafetensorsFile.open(file), file);
    }

    private static Map<String, Tensor> read(SafetensorsReader reader, Path file) throws IOException {
        try (reader) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : reader.names()) {
                TensorInfo info = reader.info(name);
                int[] shape = info.intShape();
                if (info.dtype().isFloating()) {
                    // From the pool: a model about to be filled has given its zeroed buffers of these sizes back. The
                    // parameter it becomes owns it, not the caller's memory scope.
                    Tensor values = MemoryScope.persist(Tensor.empty(DType.F32, shape));
                    reader.readFloats(name, values.storage().floats());
                    requireFinite(values.storage().floats(), values.numel(), file, name);
                    out.put(name, values);
                } else {
                    out.put(name, Tensor.ofLongs(reader.readLongs(name), shape));
                }
            }
            return out;
        }
    }

    /** A NaN or infinite weight would only show up later as a NaN loss: name the tensor now. */
    private static void requireFinite(float[] values, int n, Path file, String name) throws IOException {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IOException(file + ": tensor " + name + " holds " + values[i] + " at index " + i + " of "
                        + n + " (a checkpoint's weights must be finite)");
            }
        }
    }

    /** Writes {@code config.json} and {@code model.safetensors} (F32, tied weights once), each atomically. */
    public static void save(PreTrainedCausalLM model, Path dir) throws IOException {
        save(model.namedParameters(), model.config().toJson(), dir);
    }

    /** Writes {@code config} as {@code config.json} and {@code parameters} as {@code model.safetensors} (F32). */
    public static void save(Map<String, Parameter> parameters, ObjectNode config, Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (var e : parameters.entrySet()) {
            Tensor t = e.getValue().value().to(DType.F32);
            writer.addFloats(e.getKey(), longShape(t.shape()), t.toFloatArray());
        }
        writer.write(dir.resolve("model.safetensors"));
        ConfigJson.write(config, dir);
    }

    private static long[] longShape(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return s;
    }
}
