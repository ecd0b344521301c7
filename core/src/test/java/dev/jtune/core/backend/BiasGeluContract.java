package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused bias + GELU part of the backend contract: every backend computes {@link Backend#biasGelu} and its backward
 * like {@link ReferenceBackend} (the composition: add, activation, product, column sum), on row and column counts
 * around the vector length: within the activations' few ulp, and for the bias gradient that plus float summation over
 * the rows.
 */
public interface BiasGeluContract extends ContractTarget {

    @Test
    default void biasGeluForwardAndBackwardMatchTheReferenceOnAwkwardSizes() {
        Random rnd = new Random(4);
        for (boolean tanh : new boolean[] {false, true}) {
            for (int rows : new int[] {0, 1, 3, 17}) {
                for (int cols : SIZES) {
                    String what = backend().name() + (tanh ? " tanh" : " exact") + " [" + rows + ", " + cols + "]";
                    int n = rows * cols;
                    double[] x = values(rnd, n, 3, true), bias = values(rnd, cols, 1, false), g = values(rnd, n, 1, false);
                    check(what, toFloat(x), toFloat(bias), toFloat(g), rows, cols, tanh);
                }
            }
        }
    }

    /** As for the unary ops; the absolute part scales with the upstream gradient, near gelu's zero crossings. */
    private void check(String what, float[] x, float[] bias, float[] g, int rows, int cols, boolean tanh) {
        double rtol = 8 * U, atol = 1e-7;
        float[] want = new float[x.length], got = new float[x.length];
        REFERENCE.biasGelu(want, x, bias, rows, cols, tanh);
        backend().biasGelu(got, x, bias, rows, cols, tanh);
        assertWithin(what + " forward", want, got, rtol, atol);

        float[] wantDx = new float[x.length], gotDx = new float[x.length];
        float[] wantDb = new float[cols], gotDb = new float[cols];
        REFERENCE.biasGeluBackward(wantDx, wantDb, g, x, bias, rows, cols, tanh);
        backend().biasGeluBackward(gotDx, gotDb, g, x, bias, rows, cols, tanh);
        double[] dxTol = new double[x.length], dbTol = new double[cols];
        for (int i = 0; i < x.length; i++) {
            dxTol[i] = rtol * Math.abs(wantDx[i]) + atol * Math.abs(g[i]);
            dbTol[i % cols] += dxTol[i] + rows * U * Math.abs(wantDx[i]);
        }
        assertWithin(what + " dx", wantDx, gotDx, dxTol);
        assertWithin(what + " dbias", wantDb, gotDb, dbTol);
    }
}
