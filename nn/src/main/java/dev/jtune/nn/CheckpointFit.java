package dev.jtune.nn;

import dev.jtune.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Whether a checkpoint's tensors fit the model its {@code config.json} describes, said in one line naming both files,
 * the first difference and how many more there are:
 * {@code config.json: n_embd 64 but model.safetensors has transformer.wte.weight [50258, 32]; 28 more tensors differ}.
 */
final class CheckpointFit {

    /** The most parameters a config may describe per value in the checkpoint before it is refused unbuilt. */
    private static final long MAX_GROWTH = 8;

    private CheckpointFit() {}

    /**
     * Before building: refuses a config that describes a model far bigger than the checkpoint holds or than the heap
     * can hold (an absurd {@code n_layer} would otherwise allocate for minutes, or forever).
     */
    static void checkSize(ModelConfig config, ConfigJson json, long values, Path weights) throws IOException {
        long parameters = config.numParameters();
        long heap = Runtime.getRuntime().maxMemory();
        if (parameters > MAX_GROWTH * values + (1 << 20) || 4 * parameters > heap / 2) {
            throw new IOException(json.source() + ": describes a model of " + parameters + " parameters ("
                    + 4 * parameters / (1 << 20) + " MiB as float32, heap " + heap / (1 << 20) + " MiB) but "
                    + weights.getFileName() + " holds " + values + " values");
        }
    }

    /** After building, before loading: every tensor the model has is in the checkpoint with its shape, and no other. */
    static void check(Module model, ConfigJson json, Map<String, Tensor> state, Path weights)
            throws IOException {
        String file = weights.getFileName().toString();
        Map<String, Tensor> expected = model.stateDict();
        List<String> differences = new ArrayList<>();
        for (var e : expected.entrySet()) {
            Tensor stored = state.get(e.getKey());
            if (stored == null) {
                differences.add("the model has " + e.getKey() + " " + shape(e.getValue().shape()) + " but " + file
                        + " does not");
            } else if (!Arrays.equals(stored.shape(), e.getValue().shape())) {
                differences.add(fieldsBehind(json, e.getValue().shape(), stored.shape()) + " but " + file + " has "
                        + e.getKey() + " " + shape(stored.shape()));
            }
        }
        for (String name : state.keySet()) {
            if (!expected.containsKey(name)) differences.add(file + " has " + name + ", which the model does not");
        }
        if (!differences.isEmpty()) {
            throw new IOException(json.source() + ": " + differences.getFirst()
                    + (differences.size() > 1 ? "; " + (differences.size() - 1) + " more tensors differ" : ""));
        }
    }

    /**
     * The config fields whose value is the first dimension that differs ("n_embd 64"), or the expected shape when no
     * field holds that value alone (a fused {@code 3 * n_embd}, say).
     */
    private static String fieldsBehind(ConfigJson json, int[] expected, int[] stored) {
        int d = 0;
        while (d < Math.min(expected.length, stored.length) && expected[d] == stored[d]) d++;
        if (d < expected.length) {
            int value = expected[d];
            List<String> fields = new ArrayList<>();
            json.node().properties().forEach(p -> {
                if (p.getValue().isIntegralNumber() && p.getValue().asLong() == value) fields.add(p.getKey());
            });
            if (!fields.isEmpty()) return String.join(" or ", fields) + " " + value;
        }
        return "the config makes it " + shape(expected);
    }

    private static String shape(int[] shape) {
        return Arrays.toString(shape);
    }
}
