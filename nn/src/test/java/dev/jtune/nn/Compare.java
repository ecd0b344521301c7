package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Tensor;

/** Tensor comparison for golden tests: max |actual - expected| relative to max |expected|. */
final class Compare {

    private Compare() {}

    /** The max abs difference divided by the max abs expected value. */
    static double relativeError(float[] actual, float[] expected) {
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    static void assertClose(String what, Tensor actual, Tensor expected, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double err = relativeError(actual.toFloatArray(), expected.toFloatArray());
        assertTrue(err < tolerance, what + ": relative error " + err + " >= " + tolerance);
    }
}
