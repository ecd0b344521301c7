package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused bias + GELU part of the backend contract: every backend computes {@link Backend#biasGelu} and its backward
 * like {@link ReferenceBackend} (the composition: add, activation, product, column sum), on row and column counts
 * around the vector length. F64 bit for bit; F32 within the activations' few ulp, and for the bias gradient that plus
 * float summation over the rows.
 */
class BiasGeluContractTest {

    private static final Backend REFERENCE = new ReferenceBackend();
    /** As for the unary ops; the absolute part scales with the upstream gradient, near gelu's zero crossings. */
    private static final double RTOL = 8 * U, ATOL = 1e-7;

    static Stream<Backend> backends() {
        return Backends.available().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void forwardAndBackwardMatchTheReferenceOnAwkwardSizes(Backend backend) {
        Random rnd = new Random(4);
        for (boolean tanh : new boolean[] {false, true}) {
            for (int rows : new int[] {0, 1, 3, 17}) {
                for (int cols : SIZES) {
                    String what = backend.name() + (tanh ? " tanh" : " exact") + " [" + rows + ", " + cols + "]";
                    int n = rows * cols;
                    double[] x = values(rnd, n, 3, true), bias = values(rnd, cols, 1, false), g = values(rnd, n, 1, false);
                    checkF64(backend, what, x, bias, g, rows, cols, tanh);
                    checkF32(backend, what, toFloat(x), toFloat(bias), toFloat(g), rows, cols, tanh);
                }
            }
        }
    }

    private static void checkF64(Backend backend, String what, double[] x, double[] bias, double[] g, int rows,
                                 int cols, boolean tanh) {
        double[] want = new double[x.length], got = new double[x.length];
        REFERENCE.biasGelu(want, x, bias, rows, cols, tanh);
        backend.biasGelu(got, x, bias, rows, cols, tanh);
        Compare.exact(what + " F64 forward", want, got);
        double[] wantDx = new double[x.length], gotDx = new double[x.length];
        double[] wantDb = new double[cols], gotDb = new double[cols];
        REFERENCE.biasGeluBackward(wantDx, wantDb, g, x, bias, rows, cols, tanh);
        backend.biasGeluBackward(gotDx, gotDb, g, x, bias, rows, cols, tanh);
        Compare.exact(what + " F64 dx", wantDx, gotDx);
        Compare.exact(what + " F64 dbias", wantDb, gotDb);
    }

    private static void checkF32(Backend backend, String what, float[] x, float[] bias, float[] g, int rows, int cols,
                                 boolean tanh) {
        float[] want = new float[x.length], got = new float[x.length];
        REFERENCE.biasGelu(want, x, bias, rows, cols, tanh);
        backend.biasGelu(got, x, bias, rows, cols, tanh);
        Compare.within(what + " F32 forward", want, got, RTOL, ATOL);

        float[] wantDx = new float[x.length], gotDx = new float[x.length];
        float[] wantDb = new float[cols], gotDb = new float[cols];
        REFERENCE.biasGeluBackward(wantDx, wantDb, g, x, bias, rows, cols, tanh);
        backend.biasGeluBackward(gotDx, gotDb, g, x, bias, rows, cols, tanh);
        double[] dxTol = new double[x.length], dbTol = new double[cols];
        for (int i = 0; i < x.length; i++) {
            dxTol[i] = RTOL * Math.abs(wantDx[i]) + ATOL * Math.abs(g[i]);
            dbTol[i % cols] += dxTol[i] + rows * U * Math.abs(wantDx[i]);
        }
        Compare.within(what + " F32 dx", wantDx, gotDx, dxTol);
        Compare.within(what + " F32 dbias", wantDb, gotDb, dbTol);
    }
}
