package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;

/**
 * Fused bias + GELU, forward and backward, against the reference backend's composition.
 *
 * <p>Tolerances: the sum {@code x + bias} is rounded to float as in the composition, then GELU as the unary kernel (1
 * ulp + 2^-26, see ElementwiseKernelsTest). dx is that derivative times g, rounded: 2 ulp + 2^-26 |g|. dbias is the
 * group tree sum of dx over the rows: {@code (rows/128 + 8) u sum_r |dx|} plus the sum of dx's tolerances.
 */
class BiasGeluKernelsTest {

    @Test
    void forwardAndBackwardMatchTheComposition() {
        for (int[] s : new int[][] {{1, 1}, {7, 33}, {300, 5}}) {
            int rows = s[0], cols = s[1];
            for (boolean tanh : new boolean[] {false, true}) {
                String what = (tanh ? "gelu_tanh" : "gelu") + " " + rows + "x" + cols;
                float[] x = TestDevice.values(rows, rows * cols, 3), bias = TestDevice.values(cols, cols, 1);
                float[] g = TestDevice.values(rows + cols, rows * cols, 1);
                float[] want = new float[x.length], wantDx = new float[x.length], wantDbias = new float[cols];
                REFERENCE.biasGelu(want, x, bias, rows, cols, tanh);
                REFERENCE.biasGeluBackward(wantDx, wantDbias, g, x, bias, rows, cols, tanh);

                int atX = TestDevice.put(x), atBias = TestDevice.put(bias), atG = TestDevice.put(g);
                int out = ARENA.allocate(x.length), dx = ARENA.allocate(x.length), dbias = ARENA.allocate(cols);
                OPS.biasGelu(out, atX, atBias, rows, cols, tanh);
                TestDevice.withinUlps(what, want, TestDevice.get(out, x.length), 1, 0x1p-26);

                OPS.biasGeluBackward(dx, dbias, atG, atX, atBias, rows, cols, tanh);
                double[] tolDx = new double[x.length], tolDbias = new double[cols];
                for (int e = 0; e < x.length; e++) {
                    tolDx[e] = 2 * Math.ulp(wantDx[e]) + 0x1p-26 * Math.abs(g[e]);
                    tolDbias[e % cols] += tolDx[e] + (rows / 128.0 + 8) * U * Math.abs(wantDx[e]);
                }
                TestDevice.within(what + " dx", wantDx, TestDevice.get(dx, x.length), tolDx);
                TestDevice.within(what + " dbias", wantDbias, TestDevice.get(dbias, cols), tolDbias);
                for (int at : new int[] {atX, atBias, atG, out, dx, dbias}) ARENA.free(at);
            }
        }
    }
}
