package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;

/**
 * The vector activations equal their scalar twins bit for bit on every lane (so the split between vector body and
 * scalar tail, which moves with the thread count, cannot change a result), and exp is within 2 ulp of the double
 * exponential rounded to float.
 */
class SimdMathProperties {

    private static final int L = Simd.F.length();

    @Property
    void everyLaneEqualsTheScalarTwin(@ForAll float x, @ForAll float y) {
        checkTwin("exp", SimdMath::exp, SimdMath::exp, x, y);
        checkTwin("sigmoid", SimdMath::sigmoid, SimdMath::sigmoid, x, y);
        checkTwin("silu", SimdMath::silu, SimdMath::silu, x, y);
        checkTwin("silu'", SimdMath::siluGrad, SimdMath::siluGrad, x, y);
        checkTwin("gelu_tanh", SimdMath::geluTanh, SimdMath::geluTanh, x, y);
        checkTwin("gelu_tanh'", SimdMath::geluTanhGrad, SimdMath::geluTanhGrad, x, y);
    }

    @Property
    void expIsWithinTwoUlpOfTheCorrectlyRoundedValue(@ForAll @FloatRange(min = -87f, max = 88f) float x) {
        float want = (float) Math.exp(x), got = SimdMath.exp(x);
        int ulps = Math.abs(Float.floatToIntBits(got) - Float.floatToIntBits(want));
        assertTrue(ulps <= 2, "exp(" + x + "): " + got + " vs " + want + ", " + ulps + " ulp");
    }

    @Property
    void expSaturatesLikeMathExp(@ForAll @FloatRange(min = 89f, max = 1e30f) float x) {
        assertEquals(Float.POSITIVE_INFINITY, SimdMath.exp(x));
        assertEquals(0f, SimdMath.exp(-x * 2)); // below -178: far under the smallest subnormal
    }

    /** A vector of x and y in alternating lanes, against the scalar function of each. */
    private static void checkTwin(String name, UnaryOperator<FloatVector> vector, UnaryOperator<Float> scalar,
                                  float x, float y) {
        float[] in = new float[L], out = new float[L];
        for (int l = 0; l < L; l++) in[l] = l % 2 == 0 ? x : y;
        vector.apply(FloatVector.fromArray(Simd.F, in, 0)).intoArray(out, 0);
        for (int l = 0; l < L; l++) {
            assertEquals(Float.floatToIntBits(scalar.apply(in[l])), Float.floatToIntBits(out[l]),
                    name + "(" + in[l] + "): vector lane " + out[l] + " vs scalar " + scalar.apply(in[l]));
        }
    }
}
