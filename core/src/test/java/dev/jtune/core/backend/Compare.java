package dev.jtune.core.backend;

import static org.junit.jupiter.api.Assertions.fail;

/** Assertions for backend results: bit-exact, or within a per-element tolerance of the reference. */
final class Compare {

    private Compare() {}

    /** Same bits everywhere (NaN payloads aside). */
    static void exact(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            if (Float.compare(want[i], got[i]) != 0 && !(Float.isNaN(want[i]) && Float.isNaN(got[i]))) {
                fail(what + ": element " + i + ": expected " + want[i] + ", got " + got[i]);
            }
        }
    }

    static void exact(String what, double[] want, double[] got) {
        for (int i = 0; i < want.length; i++) {
            if (Double.compare(want[i], got[i]) != 0 && !(Double.isNaN(want[i]) && Double.isNaN(got[i]))) {
                fail(what + ": element " + i + ": expected " + want[i] + ", got " + got[i]);
            }
        }
    }

    /** {@code |got - want| <= tol[i]}; infinities and NaN must match exactly. */
    static void within(String what, float[] want, float[] got, double[] tol) {
        for (int i = 0; i < want.length; i++) {
            float w = want[i], g = got[i];
            boolean ok = Float.isFinite(w) ? Math.abs((double) g - w) <= tol[i] : Float.compare(w, g) == 0 || (w != w && g != g);
            if (!ok) {
                fail(what + ": element " + i + ": expected " + w + ", got " + g + " (|error| " + Math.abs((double) g - w)
                        + " > tolerance " + tol[i] + ")");
            }
        }
    }

    /** {@code |got - want| <= rtol |want| + atol}. */
    static void within(String what, float[] want, float[] got, double rtol, double atol) {
        double[] tol = new double[want.length];
        for (int i = 0; i < tol.length; i++) tol[i] = rtol * Math.abs(want[i]) + atol;
        within(what, want, got, tol);
    }
}
