package dev.jtune.tornado;

import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.UnaryOp;
import dev.jtune.core.kernels.ScalarMath;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The device's op codes and GELU, checked on the host (the kernels are plain Java there too). */
class DeviceMathTest {

    @Test
    void everyOpHasItsOwnCode() {
        assertEquals(UnaryOp.values().length,
                Arrays.stream(UnaryOp.values()).mapToInt(DeviceMath::code).distinct().count());
        assertEquals(BinaryOp.values().length,
                Arrays.stream(BinaryOp.values()).mapToInt(ElementwiseKernels::code).distinct().count());
    }

    /**
     * Every multiple of 2^-8 in [-15, 15]: the polynomial tail keeps gelu within 1.1e-8 relative of the erf definition
     * and gelu' within 1.1e-8 absolute; beyond, where the argument is clamped, both round to the same float.
     */
    @Test
    void geluAndItsDerivativeAreCloseToTheErfDefinition() {
        for (double x = -40; x <= 40; x += 0x1p-8) {
            double gelu = ScalarMath.gelu(x), grad = ScalarMath.geluGrad(x);
            if (Math.abs(x) <= 15) {
                assertTrue(Math.abs(DeviceMath.gelu(x) - gelu) <= 1.1e-8 * Math.abs(gelu), "gelu " + x);
                assertTrue(Math.abs(DeviceMath.geluGrad(x) - grad) <= 1.1e-8, "gelu' " + x);
            } else {
                assertEquals((float) gelu, (float) DeviceMath.gelu(x), "gelu " + x);
                // where it underflows, a zero of either sign
                assertTrue((float) grad == (float) DeviceMath.geluGrad(x), "gelu' " + x);
            }
        }
    }
}
