package dev.jtune.core;

/**
 * Element types. F32 is the compute type, F64 the reference type for gradient checks, BF16 and F16 are storage types
 * (converted to F32 on load), I32 and I64 hold ids and indices, BOOL holds masks.
 */
public enum DType {
    F32(4, true), F64(8, true), BF16(2, true), F16(2, true), I32(4, false), I64(8, false), BOOL(1, false);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F32, F64, BF16, F16. */
    public boolean isFloating() {
        return floating;
    }

    /** True for the types ops compute in: F32 and F64. */
    public boolean isCompute() {
        return this == F32 || this == F64;
    }
}
