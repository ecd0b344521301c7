package dev.jtune.core.backend;

/** Reductions along one axis of a {@code [outer, r, inner]} array. */
public enum ReduceOp {
    SUM, MAX
}
