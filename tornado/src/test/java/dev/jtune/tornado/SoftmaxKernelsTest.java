package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;

/**
 * Row-wise softmax and log-softmax, forward and backward, against the reference on rows shorter than a work-group (1,
 * 7, 33), longer (257, 1000), and rows of -inf, +inf and NaN.
 *
 * <p>Tolerances, with {@code T = cols/128 + 8} the roundings of a group's tree sum (see ReduceKernelsTest) and {@code d
 * = |a_j - m|}: the float difference {@code a_j - m} errs by {@code u d}, which exp turns into a relative error {@code
 * u d}; OpenCL's float exp and log are within 3 ulp and its division 2.5 ulp; the device's last rounding and the
 * reference's add {@code 2u |y|}. Softmax: relative {@code (d + T + 9) u}. Log-softmax: absolute {@code (d + 3 |log S|
 * + T + 2 + 2 |y|) u} with {@code log S = a_j - m - y_j}. Backward, with s the row sum, both plus {@code 2u |dx|}:
 * softmax {@code |y| T u sum|g y| + 3u (|y g| + |y s|)}; log-softmax {@code e^y T u sum|g| + 5u |e^y s| + u |g|}.
 */
class SoftmaxKernelsTest {

    private static final int[] COLS = {1, 7, 33, 257, 1000};

    /** Seeded rows, then one row of all -inf, one holding +inf and one holding NaN. */
    private static float[] rows(int rows, int cols) {
        float[] a = TestDevice.values(cols, rows * cols, 4);
        a[cols] = Float.POSITIVE_INFINITY;
        a[2 * cols + cols / 2] = Float.NaN;
        for (int j = 0; j < cols; j++) a[3 * cols + j] = Float.NEGATIVE_INFINITY;
        return a;
    }

    @Test
    void softmaxAndLogSoftmaxMatchTheReference() {
        int rows = 6;
        for (int cols : COLS) {
            for (boolean log : new boolean[] {false, true}) {
                float[] a = rows(rows, cols), want = new float[a.length];
                REFERENCE.softmax(want, a, rows, cols, log);
                double t = cols / 128.0 + 8;
                double[] tol = new double[a.length];
                for (int r = 0; r < rows; r++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < cols; j++) m = Math.max(m, a[r * cols + j]);
                    for (int j = 0; j < cols; j++) {
                        int e = r * cols + j;
                        double d = Math.abs((double) a[e] - m);
                        tol[e] = log ? (d + 3 * Math.abs(a[e] - m - want[e]) + t + 2 + 2 * Math.abs(want[e])) * U
                                : (d + t + 9) * U * Math.abs(want[e]) + Float.MIN_VALUE;
                    }
                }
                int at = TestDevice.put(a), out = ARENA.allocate(a.length);
                OPS.softmax(out, at, rows, cols, log);
                String what = (log ? "log_softmax" : "softmax") + " cols=" + cols;
                TestDevice.within(what, want, TestDevice.get(out, a.length), tol);
                OPS.softmax(at, at, rows, cols, log); // in place
                TestDevice.within("in place, cols=" + cols, want, TestDevice.get(at, a.length), tol);
                ARENA.free(at);
                ARENA.free(out);
            }
        }
    }

    @Test
    void backwardMatchesTheReference() {
        int rows = 5;
        for (int cols : COLS) {
            for (boolean log : new boolean[] {false, true}) {
                float[] y = new float[rows * cols], g = TestDevice.values(cols + 1, rows * cols, 1);
                REFERENCE.softmax(y, TestDevice.values(cols, rows * cols, 3), rows, cols, log);
                float[] want = new float[y.length];
                REFERENCE.softmaxBackward(want, g, y, rows, cols, log);
                double t = cols / 128.0 + 8;
                double[] tol = new double[y.length];
                for (int r = 0; r < rows; r++) {
                    double s = 0, sAbs = 0;
                    for (int j = 0; j < cols; j++) {
                        double term = log ? g[r * cols + j] : (double) g[r * cols + j] * y[r * cols + j];
                        s += term;
                        sAbs += Math.abs(term);
                    }
                    for (int j = 0; j < cols; j++) {
                        int e = r * cols + j;
                        double p = log ? Math.exp(y[e]) : Math.abs(y[e]);
                        tol[e] = 2 * U * Math.abs(want[e]) + (log
                                ? p * t * U * sAbs + 5 * U * p * Math.abs(s) + U * Math.abs(g[e])
                                : p * t * U * sAbs + 3 * U * (p * Math.abs(g[e]) + p * Math.abs(s)));
                    }
                }
                int atG = TestDevice.put(g), atY = TestDevice.put(y), out = ARENA.allocate(y.length);
                OPS.softmaxBackward(out, atG, atY, rows, cols, log);
                TestDevice.within((log ? "log_softmax" : "softmax") + " backward cols=" + cols, want,
                        TestDevice.get(out, y.length), tol);
                ARENA.free(atG);
                ARENA.free(atY);
                ARENA.free(out);
            }
        }
    }
}
