package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.kernels.Erf;
import dev.jtune.core.kernels.ScalarMath;
import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each transcendental float kernel is within a stated number of ulp of the double-precision reference (Math or
 * {@link ScalarMath}), over every magnitude: one float in 65537 of all 2^32 bit patterns (both signs, subnormals, huge
 * values), every multiple of 2^-10 in [-16, 16], and the special values; NaN and infinities exactly as the reference.
 * The kernels run over whole arrays, so this checks the vector path (and with {@code -Djtune.simd=false} the scalar
 * twin, which {@link SimdMathProperties} shows equal anyway).
 *
 * <p>Why each bound (u = one ulp; the measured maxima over 16.7 million inputs are in brackets):
 * <ul>
 *   <li>exp 1 u [0.88]: Taylor truncation 0.1 u plus the rounding of the last FMA steps; scaling by 2^k is exact.</li>
 *   <li>log 1 u [0.78]: fdlibm's arrangement adds the exact f last, so the result carries about one rounding.</li>
 *   <li>tanh 3 u [2.35]: expm1 about 1 u, then e + 2 and the division 0.5 u each.</li>
 *   <li>sigmoid 3 u, silu 3 u [2.33, 2.69]: exp 1 u, 1 + e and the division 0.5 u each, silu's product rounded once.</li>
 *   <li>gelu_tanh 4 u [3.40]: as silu, plus the double-float u2 (its leftover error is about 2^-30 |u2|, below 1 u
 *       wherever the result is not already 0 or x).</li>
 *   <li>gelu 5 u [4.39]: the fitted G within 1 u, t and v 1 u, two divisions, the factor's FMA, exp 1 u.</li>
 *   <li>derivatives, measured against the larger of their two terms (both functions cross zero, where no float
 *       formula has relative accuracy): gelu' 4 u [3.43], silu' 5 u [4.22] and gelu_tanh' 6 u [5.34], each the
 *       function's bound plus the (1 + e)^2 and the division of the second term.</li>
 * </ul>
 */
class SimdAccuracyTest {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    /**
     * A kernel, its reference, the magnitude its ulp is measured at, the bound in ulp, and whether a zero result must
     * have the reference's sign (not for the derivatives: where they underflow, the reference's sign of zero is an
     * accident of its formula, e.g. {@code s (1 + x (1 - s))} for silu').
     */
    record Case(String name, SimdKernel kernel, DoubleUnaryOperator reference, DoubleUnaryOperator scale,
                double ulps, boolean signedZero) {
        @Override
        public String toString() {
            return name + " within " + ulps + " ulp";
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("exp", SimdUnary::exp, Math::exp, Math::exp, 1, true),
                new Case("log", SimdUnary::log, Math::log, Math::log, 1, true),
                new Case("tanh", SimdUnary::tanh, Math::tanh, Math::tanh, 3, true),
                new Case("sigmoid", SimdUnary::sigmoid, ScalarMath::sigmoid, ScalarMath::sigmoid, 3, true),
                new Case("silu", SimdUnary::silu, ScalarMath::silu, ScalarMath::silu, 3, true),
                new Case("gelu_tanh", SimdUnary::geluTanh, ScalarMath::geluTanh, ScalarMath::geluTanh, 4, true),
                new Case("gelu", SimdUnary::gelu, ScalarMath::gelu, ScalarMath::gelu, 5, true),
                new Case("gelu'", SimdUnary::geluGrad, ScalarMath::geluGrad,
                        x -> Math.max(0.5 * Erf.erfc(-x / Math.sqrt(2)), Math.abs(x * Math.exp(-x * x / 2)) / Math.sqrt(2 * Math.PI)), 4, false),
                new Case("silu'", SimdUnary::siluGrad, ScalarMath::siluGrad,
                        x -> Math.max(ScalarMath.sigmoid(x), Math.abs(x * sigmoidGrad(x))), 5, false),
                new Case("gelu_tanh'", SimdUnary::geluTanhGrad, ScalarMath::geluTanhGrad, x -> {
                    double u2 = 2 * SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
                    double du2 = 2 * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
                    return Math.max(ScalarMath.sigmoid(u2), Math.abs(x * du2 * sigmoidGrad(u2)));
                }, 6, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isWithinItsUlpBoundOfTheReferenceAtEveryMagnitude(Case c) {
        float[] x = inputs(), got = new float[x.length];
        c.kernel().run(got, x, 0, 0, x.length);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double want = c.reference().applyAsDouble(x[i]);
            float wantF = (float) want;
            String what = c.name() + "(" + x[i] + ") = " + got[i] + ", reference " + want;
            if (!Float.isFinite(wantF) || !Float.isFinite(got[i])) {
                assertTrue(Float.compare(wantF, got[i]) == 0 || Float.isNaN(wantF) && Float.isNaN(got[i]), what);
                continue;
            }
            if (c.signedZero() && wantF == 0 && got[i] == 0) assertEquals(Math.copySign(1f, wantF), Math.copySign(1f, got[i]), what + ": sign of zero");
            double ulp = Math.ulp((float) Math.max(Math.abs(c.scale().applyAsDouble(x[i])), Float.MIN_VALUE));
            double error = Math.abs(got[i] - want) / ulp;
            worst = Math.max(worst, error);
            assertTrue(error <= c.ulps(), what + ": " + error + " ulp > " + c.ulps());
        }
        assertTrue(worst > 0, c.name() + ": no input was checked");
    }

    private static double sigmoidGrad(double z) {
        double s = ScalarMath.sigmoid(z);
        return s * ScalarMath.sigmoid(-z);
    }

    /** Spread bit patterns, a fine grid around 0 and the special values. */
    private static float[] inputs() {
        float[] special = {0f, -0f, 1f, -1f, 0.5f, -0.5f, 1e-30f, -1e-30f, 1e30f, -1e30f, Float.MIN_VALUE,
                -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 88.7f, -88.7f, -103.9f, -10.4f, -14.1f};
        int spread = 65536, grid = 32 * 1024 + 1;
        float[] x = Arrays.copyOf(special, special.length + spread + grid);
        int k = special.length;
        for (long bits = 0; bits < 1L << 32; bits += 65537) x[k++] = Float.intBitsToFloat((int) bits);
        for (int i = 0; i < grid; i++) x[k++] = -16f + i * 0x1p-10f;
        return Arrays.copyOf(x, k);
    }
}
