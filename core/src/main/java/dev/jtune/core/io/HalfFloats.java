package dev.jtune.core.io;

/**
 * Conversions between {@code float} and the two 16-bit float formats, with the semantics of PyTorch's
 * {@code tensor.float()} and {@code tensor.to(torch.bfloat16 | torch.float16)}. Each 16-bit value travels as the raw
 * bits in a {@code short}.
 *
 * <ul>
 *   <li>bfloat16 (1 sign, 8 exponent, 7 mantissa bits) is the top half of a float32: widening is a shift, exact;
 *       narrowing rounds to nearest, ties to even, overflows to infinity, and turns every NaN into {@code 0x7FC0}
 *       (c10's {@code round_to_nearest_even}).</li>
 *   <li>IEEE binary16 (1 sign, 5 exponent, 10 mantissa bits): widening is exact, subnormals and infinities included
 *       (a NaN keeps its sign and payload and comes out quiet); narrowing rounds to nearest, ties to even (subnormal results included), overflows to
 *       infinity from 65520 on, and turns a NaN into the quiet NaN {@code 0x7E00} with its sign (c10's
 *       {@code fp16_ieee_from_fp32_value}).</li>
 * </ul>
 *
 * The binary16 conversions use {@link Float#float16ToFloat} and {@link Float#floatToFloat16}, which HotSpot compiles
 * to the CPU's conversion instructions where it has them.
 */
public final class HalfFloats {

    private HalfFloats() {}

    /** The float a bfloat16 stands for: exact. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** The nearest bfloat16 to {@code f}, ties to even; NaN gives {@code 0x7FC0}. */
    public static short floatToBf16(float f) {
        if (Float.isNaN(f)) return (short) 0x7FC0;
        int bits = Float.floatToRawIntBits(f);
        // Adding 0x7FFF rounds half-way cases down and everything above up; the low bit of the kept half tips ties
        // to even. A carry out of the mantissa correctly bumps the exponent (up to infinity).
        int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + roundingBias) >>> 16);
    }

    /** The float an IEEE binary16 stands for: exact. */
    public static float f16ToFloat(short bits) {
        float f = Float.float16ToFloat(bits);
        // The JDK keeps a NaN's payload but quiets it only where the CPU instruction does; torch's is always quiet.
        return Float.isNaN(f) ? Float.intBitsToFloat(Float.floatToRawIntBits(f) | 0x0040_0000) : f;
    }

    /** The nearest IEEE binary16 to {@code f}, ties to even; NaN gives {@code 0x7E00} with the sign of {@code f}. */
    public static short floatToF16(float f) {
        if (Float.isNaN(f)) return (short) ((Float.floatToRawIntBits(f) >>> 16 & 0x8000) | 0x7E00);
        return Float.floatToFloat16(f);
    }
}
