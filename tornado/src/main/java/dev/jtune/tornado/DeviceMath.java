package dev.jtune.tornado;

import dev.jtune.core.backend.UnaryOp;
import dev.jtune.core.kernels.ScalarMath;

/**
 * The elementwise functions as the device computes them: in double precision, rounded to float once by the caller, like
 * core's reference backend (elementwise kernels are memory-bound, so the wider arithmetic costs little). Where core's
 * definition compiles for the device ({@link ScalarMath}'s sigmoid, SiLU and tanh-GELU), it is called directly.
 *
 * <p>Three things differ from the Java definitions because the device's built-ins differ: OpenCL's {@code fmax} drops
 * NaN where {@link Math#max} returns it, so max, min and relu are spelled out; the bit reinterpretations behind {@link
 * Math#signum} do not compile, so sign is spelled out; and core's {@code Erf} (an FMA, a loop to convergence) is
 * replaced for GELU by the normal tail of core's vector GELU: with {@code t = |x| / sqrt 2}, {@code Q = 1 - Phi(|x|) =
 * exp(-x^2/2) G(t) / (2 (1 + 2t))}, {@code G = 1 + v H(v)}, {@code v = 2t / (t + 2)} and H the same degree-10
 * polynomial. In double, Q is within 1.1e-8 relative of erfc for |x| &lt;= 15 (0.18 float ulp).
 */
final class DeviceMath {

    /** The op codes the kernels receive, one per {@link UnaryOp} (see {@link #code}). */
    static final int NEG = 0, EXP = 1, LOG = 2, SQRT = 3, RSQRT = 4, ABS = 5, TANH = 6, SIGMOID = 7, RELU = 8,
            GELU = 9, GELU_TANH = 10, SILU = 11, SIGN = 12, STEP = 13, GELU_GRAD = 14, GELU_TANH_GRAD = 15,
            SILU_GRAD = 16;

    private static final double SQRT_HALF = 0.7071067811865476;         // 1 / sqrt(2)
    private static final double ONE_OVER_SQRT_2PI = 0.3989422804014327; // 1 / sqrt(2 pi)
    /** Past |x| = 15, x Q and x phi underflow in float and Phi rounds to 0 or 1; H was fitted up to here. */
    private static final double GELU_CLAMP = 15;

    private DeviceMath() {}

    /** The kernels' code for {@code op}: spelled out, so that reordering the enum cannot change what a kernel runs. */
    static int code(UnaryOp op) {
        return switch (op) {
            case NEG -> NEG;
            case EXP -> EXP;
            case LOG -> LOG;
            case SQRT -> SQRT;
            case RSQRT -> RSQRT;
            case ABS -> ABS;
            case TANH -> TANH;
            case SIGMOID -> SIGMOID;
            case RELU -> RELU;
            case GELU -> GELU;
            case GELU_TANH -> GELU_TANH;
            case SILU -> SILU;
            case SIGN -> SIGN;
            case STEP -> STEP;
            case GELU_GRAD -> GELU_GRAD;
            case GELU_TANH_GRAD -> GELU_TANH_GRAD;
            case SILU_GRAD -> SILU_GRAD;
        };
    }

    /** {@code op(x)} for the op with code {@code op} (see {@link #code}), rounded to float once. */
    static float unary(int op, float x) {
        double d = x;
        double y = switch (op) {
            case NEG -> -d;
            case EXP -> Math.exp(d);
            case LOG -> Math.log(d);
            case SQRT -> Math.sqrt(d);
            case RSQRT -> 1 / Math.sqrt(d);
            case ABS -> Math.abs(d);
            case TANH -> Math.tanh(d);
            case SIGMOID -> ScalarMath.sigmoid(d);
            case RELU -> d > 0 || d != d ? d : 0;
            case GELU -> gelu(d);
            case GELU_TANH -> ScalarMath.geluTanh(d);
            case SILU -> ScalarMath.silu(d);
            case SIGN -> d > 0 ? 1 : d < 0 ? -1 : d;
            case STEP -> d > 0 ? 1 : 0;
            case GELU_GRAD -> geluGrad(d);
            case GELU_TANH_GRAD -> ScalarMath.geluTanhGrad(d);
            default -> ScalarMath.siluGrad(d);
        };
        return (float) y;
    }

    /** {@link Math#max}: NaN if either is NaN, and -0.0 &lt; 0.0. */
    static double max(double a, double b) {
        if (a != a || b != b) return a + b;
        if (a == b) return 1 / a > 0 ? a : b; // equal zeros of either sign: +0 wins
        return a > b ? a : b;
    }

    /** {@link Math#min}: NaN if either is NaN, and -0.0 &lt; 0.0. */
    static double min(double a, double b) {
        if (a != a || b != b) return a + b;
        if (a == b) return 1 / a < 0 ? a : b; // equal zeros of either sign: -0 wins
        return a < b ? a : b;
    }

    /**
     * Exact GELU {@code x Phi(x)}: {@code x Q} for x &lt;= 0 (-0 stays -0), {@code x (1 - Q)} above; gelu(-inf) is NaN
     * ({@code -inf * 0}, as in the reference; the device compiler cannot spell a NaN constant).
     */
    static double gelu(double x) {
        if (x == Double.NEGATIVE_INFINITY) return x * 0;
        double q = normalTail(clampGelu(x));
        return x <= 0 ? x * q : x * (1 - q);
    }

    /** {@code Phi(x) + x phi(x)}; NaN at +-inf (inf * 0, as in the reference). */
    static double geluGrad(double x) {
        if (x == Double.POSITIVE_INFINITY || x == Double.NEGATIVE_INFINITY) return x * 0;
        double xc = clampGelu(x);
        double q = normalTail(xc);
        double phi = ONE_OVER_SQRT_2PI * Math.exp(-0.5 * xc * xc);
        return (x < 0 ? q : 1 - q) + xc * phi;
    }

    private static double clampGelu(double x) {
        return x < -GELU_CLAMP ? -GELU_CLAMP : x > GELU_CLAMP ? GELU_CLAMP : x;
    }

    /** {@code Q = 1 - Phi(|x|)} for {@code |x| <= 15} (NaN stays NaN); see the class comment. */
    private static double normalTail(double x) {
        double t = Math.abs(x) * SQRT_HALF;
        double v = (t + t) / (t + 2);
        // H(v), the coefficients of core's SimdGelu, highest degree first.
        double h = 6.332022167e-05;
        h = h * v - 5.591586814e-04;
        h = h * v + 1.711128629e-03;
        h = h * v - 2.069890499e-03;
        h = h * v + 2.424306003e-03;
        h = h * v - 5.884429440e-03;
        h = h * v - 1.167410892e-02;
        h = h * v + 3.338875994e-02;
        h = h * v + 2.089060396e-01;
        h = h * v - 8.209484220e-01;
        h = h * v + 8.716208339e-01;
        return Math.exp(-0.5 * x * x) * (1 + v * h) / (2 + 4 * t);
    }
}
