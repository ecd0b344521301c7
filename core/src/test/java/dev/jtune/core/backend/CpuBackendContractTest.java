package dev.jtune.core.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.kernels.ScalarLoss;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CPU backend keeps the backend contract (and, run with {@code -Djtune.simd=false}, its scalar twins do). */
class CpuBackendContractTest implements BackendContract {

    private final HostBackend backend = new CpuBackend();

    @Override
    public HostBackend backend() {
        return backend;
    }

    /** Gradient clipping's norm on the CPU is the reference's, bit for bit (its blocks run in parallel and
     * are added in order). */
    @Test
    void sumOfSquaresIsTheReferencesBitForBit() {
        Random rnd = new Random(12);
        for (int n : new int[] {0, 1, 16383, 16385, 50000, 3 * 16384}) {
            float[] a = ContractInputs.toFloat(ContractInputs.values(rnd, n, 1e3, false));
            assertEquals(Double.doubleToRawLongBits(ContractTarget.REFERENCE.sumOfSquares(a, n)),
                    Double.doubleToRawLongBits(backend.sumOfSquares(a, n)), "n=" + n);
        }
    }

    /**
     * The fused cross-entropy backward gives the bits of the composition that defines it ({@link HostBackend}'s
     * default) run on this backend's own kernels: an exp pass, a product with each row's float scale, the subtraction
     * at the target; awkward row lengths, per-row and broadcast upstream gradients, ignored rows.
     */
    @Test
    void fusedCrossEntropyBackwardIsTheCompositionBitForBit() {
        Random rnd = new Random(16);
        for (int rows : new int[] {1, 3, 17}) {
            for (int classes : ContractInputs.SIZES) {
                if (classes == 0) continue;
                for (int gStride : new int[] {0, 1}) {
                    float[] logProbs = new float[rows * classes];
                    for (int k = 0; k < logProbs.length; k++) logProbs[k] = (float) (-20 * rnd.nextDouble());
                    int[] target = new int[rows];
                    for (int i = 0; i < rows; i++) target[i] = i % 3 == 2 ? -100 : rnd.nextInt(classes);
                    float[] g = new float[Math.max(1, rows * gStride)];
                    for (int i = 0; i < g.length; i++) g[i] = (float) rnd.nextGaussian();
                    double gScale = gStride == 0 ? 1.0 / 3 : 1;
                    float[] scale = new float[rows];  // (rows, 1)
                    for (int i = 0; i < rows; i++) {
                        scale[i] = (float) ScalarLoss.rowScale(g[i * gStride], gScale, target[i], -100);
                    }
                    float[] want = logProbs.clone(), got = logProbs.clone();
                    backend.unary(UnaryOp.EXP, want, want, 0, rows * classes);
                    backend.binary(BinaryOp.MUL, want, want, 0, new int[] {classes, 1}, scale, 0, new int[] {1, 0},
                            new int[] {rows, classes});
                    ScalarLoss.subtractAtTargets(want, g, gStride, gScale, target, -100, rows, classes);
                    backend.crossEntropyBackward(got, g, gStride, gScale, target, -100, rows, classes);
                    assertArrayEquals(want, got, "[" + rows + ", " + classes + "] gStride " + gStride);
                }
            }
        }
    }
}
