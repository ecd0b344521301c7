package dev.jtune.tornado;

import dev.jtune.core.backend.ReferenceBackend;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The one device arena all tests share (each kernel compiles once per JVM, which takes seconds on pocl), helpers to
 * move arrays through it, the reference to compare with, and the comparison.
 */
final class TestDevice {

    static final DeviceArena ARENA = new DeviceArena(1 << 22, 1 << 16);
    static final DeviceOps OPS = new DeviceOps(ARENA);
    static final ReferenceBackend REFERENCE = new ReferenceBackend();
    /** The unit roundoff of float. */
    static final double U = 0x1p-24;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ARENA::close));
    }

    private TestDevice() {}

    /** A new heap region holding {@code x}. */
    static int put(float[] x) {
        int at = ARENA.allocate(x.length);
        ARENA.upload(x, at, x.length);
        return at;
    }

    /** The {@code n} floats at {@code at}, and frees nothing. */
    static float[] get(int at, int n) {
        float[] x = new float[n];
        ARENA.download(at, x, n);
        return x;
    }

    /** {@code n} seeded values, mostly N(0, scale^2), every fourth a small integer (ties, exact cancellations). */
    static float[] values(long seed, int n, double scale) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (i % 4 == 3 ? rnd.nextInt(7) - 3 : rnd.nextGaussian() * scale);
        return x;
    }

    /** The elementwise absolute values, for the magnitudes that error bounds scale with. */
    static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
        return y;
    }

    /** {@code |got - want| <= tol[i]}; where want is not finite, got must be the same (any NaN for NaN). */
    static void within(String what, float[] want, float[] got, double[] tol) {
        for (int i = 0; i < want.length; i++) {
            float w = want[i], g = got[i];
            boolean ok = Float.isFinite(w) ? Math.abs((double) g - w) <= tol[i]
                    : Float.compare(w, g) == 0 || w != w && g != g;
            if (!ok) fail(what + ": element " + i + ": expected " + w + ", got " + g + " (tolerance " + tol[i] + ")");
        }
    }

    /** {@code |got - want| <= ulps * ulp(want) + atol}. */
    static void withinUlps(String what, float[] want, float[] got, double ulps, double atol) {
        double[] tol = new double[want.length];
        for (int i = 0; i < tol.length; i++) tol[i] = ulps * Math.ulp(want[i]) + atol;
        within(what, want, got, tol);
    }

    /** Same bits everywhere, but any NaN for NaN. */
    static void exact(String what, float[] want, float[] got) {
        withinUlps(what, want, got, 0, 0);
        for (int i = 0; i < want.length; i++) {
            if (want[i] == 0 && Float.compare(want[i], got[i]) != 0) {
                fail(what + ": element " + i + ": expected " + want[i] + ", got " + got[i]);
            }
        }
    }
}
