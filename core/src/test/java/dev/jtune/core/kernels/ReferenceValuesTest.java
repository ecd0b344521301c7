package dev.jtune.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Pins the reference kernels to known values, so the definition every backend is compared with is itself right.
 * Expected values: mpmath 1.3.0 at 60 significant digits, rounded to 17 (erf/erfc directly; gelu as {@code x Phi(x)}
 * with {@code Phi(x) = erfc(-x/sqrt 2)/2}; gelu_tanh as {@code 0.5 x (1 + tanh u)}; derivatives in closed form).
 */
class ReferenceValuesTest {

    @ParameterizedTest(name = "erf({0})")
    @CsvSource({
            "-3,   -0.99997790950300141, 1.9999779095030014",
            "-0.5, -0.52049987781304654, 1.5204998778130465",
            "0.1,   0.11246291601828489, 0.88753708398171511",
            "1,     0.84270079294971487, 0.15729920705028513",
            "2.5,   0.99959304798255504, 0.00040695201744495894",
            "5,     0.99999999999846254, 1.5374597944280349e-12"})
    void erfAndErfcMatchMpmathTo1e15Relative(double x, double erf, double erfc) {
        assertRelative(erf, Erf.erf(x), 1e-15, "erf");
        assertRelative(erfc, Erf.erfc(x), 1e-15, "erfc");
    }

    @Test
    void erfHandlesZeroInfinityAndNaN() {
        assertEquals(0.0, Erf.erf(0.0));
        assertEquals(-0.0, Erf.erf(-0.0));
        assertEquals(1.0, Erf.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, Erf.erf(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Erf.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2.0, Erf.erfc(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(Erf.erf(Double.NaN)) && Double.isNaN(Erf.erfc(Double.NaN)));
    }

    @ParameterizedTest(name = "gelu({0})")
    @CsvSource({
            "-10, -7.6198530241605261e-23, -7.6184000964648141e-22, -1.204092348209806e-37,  -2.7576380638540316e-36",
            "-3,  -0.0040496940948902836,  -0.011945647204183927,   -0.0036373920817730188, -0.011584166630969726",
            "-1,  -0.15865525393145705,    -0.083315470587686298,   -0.1588080093917233,    -0.082964083845782555",
            "0.5,  0.34573123063700655,     0.86749512465616284,     0.34571400982514392,    0.86736990353464231",
            "2,    1.9544997361036416,      1.0852318010781969,      1.954597694087775,      1.0860992566236184"})
    void geluBothFormsAndTheirDerivativesMatchMpmath(double x, double gelu, double geluGrad, double geluTanh,
                                                      double geluTanhGrad) {
        // 1e-14: deep in the left tail erfc's argument -x/sqrt(2) carries its own rounding, amplified by 2 x^2.
        assertRelative(gelu, ScalarMath.gelu(x), 1e-14, "gelu");
        assertRelative(geluGrad, ScalarMath.geluGrad(x), 1e-14, "gelu'");
        assertRelative(geluTanh, ScalarMath.geluTanh(x), 1e-14, "gelu_tanh");
        assertRelative(geluTanhGrad, ScalarMath.geluTanhGrad(x), 1e-14, "gelu_tanh'");
    }

    @ParameterizedTest(name = "silu({0})")
    @CsvSource({
            "-2,  -0.23840584404423511, -0.090784248784895479",
            "0.5,  0.31122966560092728,  0.73996118730265181",
            "3,    2.8577223804672997,   1.0881041060151696"})
    void siluAndDerivativeMatchMpmath(double x, double silu, double siluGrad) {
        assertRelative(silu, ScalarMath.silu(x), 1e-15, "silu");
        assertRelative(siluGrad, ScalarMath.siluGrad(x), 1e-15, "silu'");
    }

    @Test
    void sigmoidSaturatesWithoutOverflow() {
        assertEquals(1.0, ScalarMath.sigmoid(800));
        assertEquals(Math.exp(-800), ScalarMath.sigmoid(-800));
        assertEquals(0.5, ScalarMath.sigmoid(0));
    }

    @Test
    void softmaxAndLogSoftmaxOfOneTwoThree() {
        double[] out = new double[3];
        ScalarSoftmax.forward(out, new double[] {1, 2, 3}, 1, 3, false);
        double[] softmax = {0.090030573170380458, 0.24472847105479765, 0.66524095577482189};
        for (int j = 0; j < 3; j++) assertRelative(softmax[j], out[j], 1e-15, "softmax[" + j + "]");
        ScalarSoftmax.forward(out, new double[] {1, 2, 3}, 1, 3, true);
        double[] logSoftmax = {-2.4076059644443803, -1.4076059644443803, -0.4076059644443803};
        for (int j = 0; j < 3; j++) assertRelative(logSoftmax[j], out[j], 1e-15, "log_softmax[" + j + "]");
    }

    @Test
    void softmaxIsShiftInvariantSoLargeLogitsDoNotOverflow() {
        double[] out = new double[2];
        ScalarSoftmax.forward(out, new double[] {1000, 1000}, 1, 2, false);
        assertEquals(0.5, out[0]);
        assertEquals(0.5, out[1]);
    }

    /** As in PyTorch: a fully masked row has no distribution, and says so with NaN rather than a uniform guess. */
    @Test
    void aRowOfAllMinusInfinityGivesNaNLikePyTorch() {
        double inf = Double.NEGATIVE_INFINITY;
        double[] out = new double[4];
        ScalarSoftmax.forward(out, new double[] {0, 1, inf, inf}, 2, 2, false);
        assertTrue(Double.isNaN(out[2]) && Double.isNaN(out[3]));
        ScalarSoftmax.forward(out, new double[] {0, 1, inf, inf}, 2, 2, true);
        assertTrue(Double.isNaN(out[2]) && Double.isNaN(out[3]));
        assertRelative(-1.3132616875182228, out[0], 1e-15, "log_softmax[0, 0]");
    }

    @Test
    void maskedEntriesGetZeroProbability() {
        double[] out = new double[3];
        ScalarSoftmax.forward(out, new double[] {0, Double.NEGATIVE_INFINITY, 0}, 1, 3, false);
        assertEquals(0.5, out[0]);
        assertEquals(0.0, out[1]);
        assertEquals(0.5, out[2]);
    }

    @Test
    void argmaxTakesTheFirstMaximumAndTheFirstNaN() {
        long[] out = new long[1];
        ScalarReduce.argmax(out, new double[] {1, 3, 3, 2}, 1, 4, 1);
        assertEquals(1, out[0]);
        ScalarReduce.argmax(out, new double[] {1, Double.NaN, 5, Double.NaN}, 1, 4, 1);
        assertEquals(1, out[0]);
    }

    @Test
    void maxPropagatesNaNAndOfNothingIsMinusInfinity() {
        double[] out = new double[2];
        ScalarReduce.max(out, new double[] {1, Double.NaN, 3, 0}, 1, 2, 2);
        assertTrue(Double.isNaN(out[1]));
        assertEquals(3.0, out[0]);
        ScalarReduce.max(out, new double[0], 1, 0, 2);
        assertEquals(Double.NEGATIVE_INFINITY, out[0]);
    }

    private static void assertRelative(double expected, double actual, double rtol, String what) {
        double err = Math.abs(actual - expected) / Math.abs(expected);
        assertTrue(err <= rtol, what + ": expected " + expected + ", got " + actual + " (relative error " + err + ")");
    }
}
