package dev.jtune.core.backend;

/** Elementwise functions of two (broadcast) inputs, {@code out[i] = f(a[i], b[i])}. */
public enum BinaryOp {
    ADD, SUB, MUL, DIV,
    /** {@code a ** b}. */
    POW,
    MAXIMUM, MINIMUM,
    /** {@code 1 if a == b else 0}. */
    EQ,
    /** {@code 1 if a > b else 0}. */
    GT
}
