package dev.jtune.core.kernels;

import dev.jtune.core.io.HalfFloats;

/** Dtype conversions of flat arrays, one element at a time: the twins of {@code simd.SimdConvert}. */
public final class ScalarConvert {

    private ScalarConvert() {}

    /**
     * {@code out[i] = float(a[aOff + i])} for {@code from <= i < to}, where {@code a} holds bfloat16 bits: a bfloat16
     * is the upper half of a float, so the conversion is exact (NaNs keep their payload).
     */
    public static void bf16ToF32(float[] out, short[] a, int aOff, int from, int to) {
        for (int i = from; i < to; i++) out[i] = Float.intBitsToFloat(a[aOff + i] << 16);
    }

    /**
     * {@code out[i] = float(a[aOff + i])} for {@code from <= i < to}, where {@code a} holds IEEE half-precision bits:
     * {@link HalfFloats#f16ToFloat}, whose NaNs come out quiet whether or not the JIT has compiled the loop.
     */
    public static void f16ToF32(float[] out, short[] a, int aOff, int from, int to) {
        for (int i = from; i < to; i++) out[i] = HalfFloats.f16ToFloat(a[aOff + i]);
    }

    /** {@code out[i] = bf16(a[i])} for {@code from <= i < to}: {@link HalfFloats#floatToBf16}, ties to even. */
    public static void f32ToBf16(short[] out, float[] a, int from, int to) {
        for (int i = from; i < to; i++) out[i] = HalfFloats.floatToBf16(a[i]);
    }
}
