package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtune.core.Generator;
import dev.jtune.core.backend.AdamWStep;
import dev.jtune.core.kernels.ScalarAdamW;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector AdamW gives the scalar kernel's bits, on sizes around the vector length, with or without decay, and with
 * the gradients read as they are or scaled by a clipping coefficient.
 */
class SimdAdamWTest {

    private static final int L = Simd.F.length();

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 7, 15, 16, 17, 31, 33, 63, 65, 1000, 4099})
    void vectorUpdateIsBitIdenticalToTheScalarTwin(int n) {
        for (boolean decays : new boolean[] {false, true}) {
            for (float gradScale : new float[] {1f, 0.3719f}) {
                for (int offset : new int[] {0, 1, L - 1}) {
                    float[][] a = randomState(n + offset, 11 + n), b = copy(a);
                    AdamWStep step = new AdamWStep(decays, 0.999f, 0.1f, 0.999f, 0.001f, -1e-3f / 0.19f,
                            (float) Math.sqrt(1 - Math.pow(0.999, 3)), 1e-8f, gradScale);
                    for (int t = 0; t < 3; t++) {
                        SimdAdamW.update(a[0], a[1], a[2], a[3], step, offset, n + offset);
                        ScalarAdamW.update(b[0], b[1], b[2], b[3], step, offset, n + offset);
                    }
                    for (int k = 0; k < 4; k++) {
                        assertArrayEquals(b[k], a[k], "array " + k + " n " + n + " offset " + offset + " scale " + gradScale);
                    }
                }
            }
        }
    }

    private static float[][] randomState(int n, long seed) {
        Generator g = new Generator(seed);
        float[][] s = new float[4][n];
        for (int i = 0; i < n; i++) {
            s[0][i] = (float) g.nextGaussian();
            s[1][i] = (float) (g.nextGaussian() * Math.pow(10, g.nextInt(9) - 6));  // gradients from 1e-6 to 1e2
            s[2][i] = (float) (g.nextGaussian() * 1e-2);
            s[3][i] = (float) Math.abs(g.nextGaussian() * 1e-4);
        }
        if (n > 0) s[1][0] = 0;  // a zero gradient with a zero second moment: denom is eps
        if (n > 0) s[3][0] = 0;
        return s;
    }

    private static float[][] copy(float[][] a) {
        float[][] c = new float[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }
}
