package dev.jtune.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
