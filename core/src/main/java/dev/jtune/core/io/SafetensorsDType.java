package dev.jtune.core.io;

import dev.jtune.core.DType;

/**
 * The element types of the safetensors format, by their names in the header. They are declared in the order of the
 * reference implementation (the Rust crate), which is increasing alignment: writers lay tensors out by decreasing
 * order, then by name, so that every tensor starts aligned to its element size.
 *
 * <p>The 8-bit float and sub-byte types of newer safetensors versions are not supported; a file that uses them fails
 * to open with an "unsupported dtype" error.
 */
public enum SafetensorsDType {
    BOOL(1, DType.BOOL), U8(1, DType.I32), I8(1, DType.I32), I16(2, DType.I32), U16(2, DType.I32),
    F16(2, DType.F16), BF16(2, DType.BF16), I32(4, DType.I32), U32(4, DType.I64), F32(4, DType.F32),
    F64(8, DType.F64), I64(8, DType.I64), U64(8, DType.I64);

    private final int byteSize;
    private final DType jtuneType;

    SafetensorsDType(int byteSize, DType jtuneType) {
        this.byteSize = byteSize;
        this.jtuneType = jtuneType;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** True for F16, BF16, F32 and F64: the types {@link SafetensorsReader#readFloats} accepts. */
    public boolean isFloating() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /**
     * The jtune element type that holds these values: the same type where jtune has it; U8, I8, I16 and U16 widen to
     * I32, U32 and U64 to I64 (a U64 value above {@link Long#MAX_VALUE} fails when read).
     */
    public DType toDType() {
        return jtuneType;
    }

    /** The safetensors type that stores a jtune type (its name is the same). */
    public static SafetensorsDType of(DType type) {
        return valueOf(type.name());
    }

    /** The type with this header name, or null when the name is not a supported safetensors dtype. */
    static SafetensorsDType fromHeaderName(String name) {
        for (SafetensorsDType t : values()) {
            if (t.name().equals(name)) return t;
        }
        return null;
    }
}
