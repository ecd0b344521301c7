package dev.jtune.core.backend;

/**
 * Elementwise functions of one input, {@code out[i] = f(a[i])}; a function whose derivative is not made of other ops
 * has it right after it (the {@code _GRAD} ops and the piecewise-constant SIGN and STEP), for the backward.
 */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, TANH, SIGMOID,
    ABS,
    /** {@code sign(x)}, the derivative of abs (0 at 0). */
    SIGN,
    /** {@code max(x, 0)}; NaN stays NaN. */
    RELU,
    /** {@code 1 if x > 0 else 0}, the derivative of relu. */
    STEP,
    /** Exact GELU: {@code x * Phi(x)} with the normal CDF. */
    GELU,
    /** {@code d/dx gelu(x)}. */
    GELU_GRAD,
    /** GPT-2's "gelu_new": the tanh approximation. */
    GELU_TANH,
    /** {@code d/dx gelu_tanh(x)}. */
    GELU_TANH_GRAD,
    SILU,
    /** {@code d/dx silu(x)}. */
    SILU_GRAD
}
