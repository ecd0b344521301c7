package dev.jtune.core.backend;

/** Elementwise functions of two (broadcast) inputs, {@code out[i] = f(a[i], b[i])}. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** {@code a ** b} with {@link Math#pow} semantics, as in PyTorch ({@code 0 ** 0 = 1}, {@code (-8) ** 0.5 = NaN}). */
    POW,
    /** {@link Math#max}: NaN if either is NaN (like {@code torch.maximum}), and -0.0 &lt; 0.0. */
    MAXIMUM,
    /** {@link Math#min}: NaN if either is NaN (like {@code torch.minimum}), and -0.0 &lt; 0.0. */
    MINIMUM,
    /** {@code 1 if a == b else 0}. */
    EQ,
    /** {@code 1 if a > b else 0}. */
    GT
}
