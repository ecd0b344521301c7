package dev.jtune.nn;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.DType;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.io.HalfFloats;
import dev.jtune.core.io.SafetensorsFile;
import dev.jtune.core.io.SafetensorsReader;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.core.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face checkpoint directories: {@code model.safetensors} (or a sharded index) in, F32 (or BF16/F16) tensors
 * out, and back.
 */
public final class Checkpoints {

    private Checkpoints() {}

    /**
     * Every tensor of the checkpoint in {@code dir}, floating types converted to F32 and integers to I64. The whole
     * file is validated before anything is returned.
     */
    public static Map<String, Tensor> loadTensors(Path dir) throws IOException {
        return loadTensors(dir, DType.F32);
    }

    /**
     * As {@link #loadTensors(Path)}, floating types converted to {@code dtype} (F32, BF16 or F16): a tensor stored in
     * that dtype is read as its raw bits, any other is read as F32 and rounded, one tensor at a time.
     */
    public static Map<String, Tensor> loadTensors(Path dir, DType dtype) throws IOException {
        Path file = weightsFile(dir);
        return read(SafetensorsReader.open(file), file, dtype);
    }

    /**
     * The dtype to load the checkpoint of {@code dir} in for adapters on a frozen base held in {@code baseDtype}: that
     * dtype when the checkpoint stores its weights in it (read as their bits: a bf16 model from the hub never has an
     * F32 copy), else F32 (the base is converted once the adapters are in, so that {@code modules_to_save} start from
     * the checkpoint's F32 values).
     */
    public static DType loadDtypeForFrozenBase(Path dir, DType baseDtype) throws IOException {
        return baseDtype != DType.F32 && storedFloatDtype(dir) == baseDtype ? baseDtype : DType.F32;
    }

    /**
     * The dtype to hold the checkpoint of {@code dir} in for a model that is only run (evaluated, sampled, a frozen
     * reference): BF16 when it stores bf16, else F32. A bf16 weight widens to F32 exactly and a frozen bf16 weight
     * multiplies to the bits of its F32 copy, so the model computes the same numbers at half the memory.
     */
    public static DType inferenceDtype(Path dir) throws IOException {
        return storedFloatDtype(dir) == DType.BF16 ? DType.BF16 : DType.F32;
    }

    /** The one floating dtype the checkpoint of {@code dir} stores its weights in, from its header; null if mixed. */
    public static DType storedFloatDtype(Path dir) throws IOException {
        try (SafetensorsReader reader = SafetensorsReader.open(weightsFile(dir))) {
            DType found = null;
            for (String name : reader.names()) {
                TensorInfo info = reader.info(name);
                if (!info.dtype().isFloating()) continue;
                if (found != null && found != info.dtype().toDType()) return null;
                found = info.dtype().toDType();
            }
            return found;
        }
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
        return read(SafetensorsFile.open(file), file, DType.F32);
    }

    private static Map<String, Tensor> read(SafetensorsReader reader, Path file, DType dtype) throws IOException {
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException("a checkpoint's weights load as F32, BF16 or F16, not " + dtype);
        }
        try (reader) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (String name : reader.names()) {
                TensorInfo info = reader.info(name);
                int[] shape = info.intShape();
                if (!info.dtype().isFloating()) {
                    out.put(name, Tensor.ofLongs(reader.readLongs(name), shape));
                } else if (info.dtype().toDType() == dtype && dtype != DType.F32) {
                    // Raw bits into a pooled buffer: the zeros of a model built in this dtype gave it back.
                    Tensor values = MemoryScope.persist(Tensor.empty(dtype, shape));
                    reader.readShorts(name, values.storage().halves());
                    requireFiniteHalves(values, null, file, name);
                    out.put(name, values);
                } else {
                    // From the pool: a model about to be filled has given its zeroed buffers of these sizes back. The
                    // parameter it becomes owns it, not the caller's memory scope.
                    Tensor values = MemoryScope.persist(Tensor.empty(DType.F32, shape));
                    reader.readFloats(name, values.storage().floats());
                    requireFinite(values.storage().floats(), values.numel(), file, name);
                    if (dtype != DType.F32) {
                        Tensor rounded = MemoryScope.persist(values.to(dtype));
                        requireFiniteHalves(rounded, values, file, name);  // F16 overflows past 65504
                        values.storage().release("rounded to " + dtype + " as the checkpoint was read");
                        values = rounded;
                    }
                    out.put(name, values);
                }
            }
            return out;
        }
    }

    /**
     * Fails naming the first infinite or NaN element of a BF16/F16 tensor: as stored when {@code read} is null, else
     * the F32 value {@code read} held there, which rounding made infinite.
     */
    private static void requireFiniteHalves(Tensor values, Tensor read, Path file, String name) throws IOException {
        short[] bits = values.storage().halves();
        boolean bf16 = values.dtype() == DType.BF16;
        int exponent = bf16 ? 0x7F80 : 0x7C00;  // all ones: an infinity or a NaN
        int n = values.numel();
        for (int i = 0; i < n; i++) {
            if ((bits[i] & exponent) != exponent) continue;
            float value = read != null ? read.storage().floats()[i]
                    : bf16 ? HalfFloats.bf16ToFloat(bits[i]) : HalfFloats.f16ToFloat(bits[i]);
            throw new IOException(file + ": tensor " + name + " holds " + value + " at index " + i + " of " + n
                    + (read != null ? ", beyond " + values.dtype() + "'s range" : "")
                    + " (a checkpoint's weights must be finite)");
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

    /**
     * Writes {@code config.json} and {@code model.safetensors} (each tensor in its dtype, tied weights once), each
     * atomically.
     */
    public static void save(PreTrainedCausalLM model, Path dir) throws IOException {
        save(model.namedParameters(), model.config().toJson(), dir);
    }

    /**
     * Writes {@code config} as {@code config.json} and {@code parameters} as {@code model.safetensors}, each tensor in
     * its dtype as {@code save_pretrained} does (F32, or a frozen BF16/F16 base as it is held); when every parameter is
     * held in one half-precision dtype, the config's dtype field says so.
     */
    public static void save(Map<String, Parameter> parameters, ObjectNode config, Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        Set<DType> held = EnumSet.noneOf(DType.class);
        for (var e : parameters.entrySet()) {
            Tensor t = e.getValue().value();
            held.add(t.dtype());
            if (t.dtype() == DType.BF16 || t.dtype() == DType.F16) {
                Tensor c = t.contiguous();
                writer.addShorts(e.getKey(), longShape(t.shape()), c.storage().halves(), c.offset(), t.dtype());
            } else {
                addFloats(writer, e.getKey(), t);
            }
        }
        writer.write(dir.resolve("model.safetensors"));
        if (held.equals(EnumSet.of(DType.BF16)) || held.equals(EnumSet.of(DType.F16))) {
            config.put(config.has("torch_dtype") ? "torch_dtype" : "dtype",
                    held.contains(DType.BF16) ? "bfloat16" : "float16");
        }
        ConfigJson.write(config, dir);
    }

    /**
     * Adds {@code t} to {@code writer} as F32, read from its storage as the file is written: a contiguous F32 tensor
     * (a model's weights, an optimizer's moments) is not copied, so saving does not hold the model twice.
     */
    public static void addFloats(SafetensorsWriter writer, String name, Tensor t) {
        Tensor c = t.to(DType.F32).contiguous();
        writer.addFloats(name, longShape(c.shape()), c.storage().floats(), c.offset());
    }

    private static long[] longShape(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) s[i] = shape[i];
        return s;
    }
}
