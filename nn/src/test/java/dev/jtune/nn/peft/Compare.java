package dev.jtune.nn.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Tensor;

/** Tensor comparison for golden tests: max |actual - expected| relative to max |expected|. */
final class Compare {

    private Compare() {}

    static double relativeError(Tensor actual, Tensor expected) {
        double[] a = actual.toDoubleArray(), e = expected.toDoubleArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < e.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - e[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    static void assertClose(String what, Tensor actual, Tensor expected, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        double err = relativeError(actual, expected);
        assertTrue(err < tolerance, what + ": relative error " + err + " >= " + tolerance);
    }
}
