package dev.jtune.core.kernels;

/**
 * The scalar definitions of the activation functions and their derivatives, in double precision: what every kernel,
 * scalar or vector, must agree with.
 *
 * <p>Where a textbook formula cancels, an equal one that does not is used, and the comment says which.
 */
public final class ScalarMath {

    private static final double SQRT_2_OVER_PI = 0.7978845608028654;    // sqrt(2 / pi)
    private static final double ONE_OVER_SQRT_2PI = 0.3989422804014327; // 1 / sqrt(2 pi)
    private static final double SQRT_HALF = 0.7071067811865476;         // 1 / sqrt(2)
    private static final double GELU_TANH_C = 0.044715;

    private ScalarMath() {}

    /** {@code 1 / (1 + exp(-x))}, evaluated so that neither branch overflows. */
    public static double sigmoid(double x) {
        if (x >= 0) return 1 / (1 + Math.exp(-x));
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** {@code max(x, 0)}; NaN stays NaN. */
    public static double relu(double x) {
        return Math.max(x, 0.0);
    }

    /** {@code 1 if x > 0 else 0}: the derivative of relu (0 at 0 and for NaN). */
    public static double step(double x) {
        return x > 0 ? 1 : 0;
    }

    /** Exact GELU, {@code x * Phi(x)} with the normal CDF {@code Phi(x) = erfc(-x / sqrt 2) / 2}. */
    public static double gelu(double x) {
        // erfc rather than 1 + erf: no cancellation for x << 0, where Phi(x) is tiny.
        return x * 0.5 * Erf.erfc(-x * SQRT_HALF);
    }

    /** {@code d/dx gelu(x) = Phi(x) + x phi(x)} with the normal density phi. */
    public static double geluGrad(double x) {
        return 0.5 * Erf.erfc(-x * SQRT_HALF) + x * ONE_OVER_SQRT_2PI * Math.exp(-0.5 * x * x);
    }

    /**
     * GPT-2's "gelu_new", {@code 0.5 x (1 + tanh(u))} with {@code u = sqrt(2/pi) (x + 0.044715 x^3)}, evaluated as the
     * equal {@code x * sigmoid(2u)}, which does not cancel for x << 0.
     */
    public static double geluTanh(double x) {
        return x * sigmoid(2 * geluTanhArg(x));
    }

    /**
     * {@code d/dx gelu_tanh(x) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) u'}, written with {@code s = sigmoid(2u)}
     * ({@code 0.5 (1 + tanh u) = s}, {@code 1 - tanh^2 u = 4 s (1 - s)}) as {@code s + 2 x s (1 - s) u'}.
     */
    public static double geluTanhGrad(double x) {
        double s = sigmoid(2 * geluTanhArg(x));
        double du = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_C * x * x);
        return s + 2 * x * s * (1 - s) * du;
    }

    /** SiLU (swish), {@code x * sigmoid(x)}. */
    public static double silu(double x) {
        return x * sigmoid(x);
    }

    /** {@code d/dx silu(x) = s (1 + x (1 - s))} with {@code s = sigmoid(x)}. */
    public static double siluGrad(double x) {
        double s = sigmoid(x);
        return s * (1 + x * (1 - s));
    }

    private static double geluTanhArg(double x) {
        return SQRT_2_OVER_PI * (x + GELU_TANH_C * x * x * x);
    }
}
