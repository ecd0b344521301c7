package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Tensor comparison for golden tests: max |actual - expected| relative to max |expected|. */
public final class Compare {

    private Compare() {}

    /** The max abs difference divided by the max abs expected value. */
    /** {@link #relativeError(float[], float[])} of two tensors of the same shape. */
    public static double relativeError(Tensor actual, Tensor expected) {
        return relativeError(actual.toFloatArray(), expected.toFloatArray());
    }

    public static double relativeError(float[] actual, float[] expected) {
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    public static void assertClose(String what, Tensor actual, Tensor expected, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double err = relativeError(actual.toFloatArray(), expected.toFloatArray());
        assertTrue(err < tolerance, what + ": relative error " + err + " >= " + tolerance);
    }

    /**
     * Loads the transformers-written model in {@code hfDir}, saves it to {@code out}, and checks the same tensor names,
     * shapes and values and every config.json field of the original. transformers cannot be installed here, so this is
     * how loadability by transformers is proven: jtune writes what transformers itself wrote.
     */
    static void assertSavesLikeTransformers(Path hfDir, Path out) throws IOException {
        AutoModelForCausalLM.fromPretrained(hfDir).savePretrained(out);
        Map<String, Tensor> theirs = Checkpoints.loadTensors(hfDir), ours = Checkpoints.loadTensors(out);
        assertEquals(theirs.keySet(), ours.keySet());
        for (String name : theirs.keySet()) {
            assertArrayEquals(theirs.get(name).shape(), ours.get(name).shape(), name);
            assertArrayEquals(theirs.get(name).toFloatArray(), ours.get(name).toFloatArray(), name);
        }
        JsonNode theirConfig = ConfigJson.MAPPER.readTree(hfDir.resolve("config.json").toFile());
        JsonNode ourConfig = ConfigJson.MAPPER.readTree(out.resolve("config.json").toFile());
        theirConfig.fieldNames().forEachRemaining(field ->
                assertEquals(theirConfig.get(field), ourConfig.get(field), "config.json field " + field));
    }
}
