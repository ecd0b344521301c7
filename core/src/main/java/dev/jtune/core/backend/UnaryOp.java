package dev.jtune.core.backend;

/** Elementwise functions of one input, {@code out[i] = f(a[i])}. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, RSQRT, ABS, TANH, SIGMOID,
    /** {@code max(x, 0)}; NaN stays NaN. */
    RELU,
    /** Exact GELU: {@code x * Phi(x)} with the normal CDF. */
    GELU,
    /** GPT-2's "gelu_new": the tanh approximation. */
    GELU_TANH,
    SILU,
    /** {@code sign(x)}, the derivative of abs (0 at 0). */
    SIGN,
    /** {@code 1 if x > 0 else 0}, the derivative of relu. */
    STEP,
    /** {@code d/dx gelu(x)}. */
    GELU_GRAD,
    /** {@code d/dx gelu_tanh(x)}. */
    GELU_TANH_GRAD,
    /** {@code d/dx silu(x)}. */
    SILU_GRAD
}
