package dev.jtune.core.kernels.simd;

import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.ScalarConvert;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorized dtype conversions over an output range. BF16 to F32 is what a frozen bf16 LoRA base pays on every use of
 * each weight ({@code Parameter.computeValue}): {@code L} shorts are widened to ints, shifted into the upper half and
 * read as floats, the same bits as {@link ScalarConvert#bf16ToF32}. F32 to BF16 (freezing a base in bf16, loading a
 * checkpoint as bf16) rounds to nearest, ties to even, as {@link ScalarConvert#f32ToBf16}.
 */
public final class SimdConvert {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** Shorts of half the float vector's width: one load gives L lanes. */
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int L = F.length();

    private SimdConvert() {}

    /** {@code out[i] = float(a[aOff + i])} for {@code from <= i < to}, {@code a} holding bfloat16 bits. */
    public static void bf16ToF32(float[] out, short[] a, int aOff, int from, int to) {
        int i = from;
        if (Simd.ENABLED) {
            for (int end = from + F.loopBound(to - from); i < end; i += L) bf16Lanes(a, aOff + i).intoArray(out, i);
        }
        ScalarConvert.bf16ToF32(out, a, aOff, i, to);
    }

    /** The floats of the {@code L} bfloat16 bits at {@code a[i..]}: widened, shifted into the upper half, read as floats. */
    static FloatVector bf16Lanes(short[] a, int i) {
        ShortVector bits = ShortVector.fromArray(S, a, i);
        return ((IntVector) bits.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                .reinterpretAsFloats();
    }

    /** {@code out[i] = float(a[i])} for {@code i < n}, across the threads ({@link #halfToF32} on each piece). */
    public static void halfToF32(float[] out, short[] a, boolean bf16, int n) {
        Parallel.forRange(n, 1 << 16, (from, to) -> halfToF32(out, a, bf16, 0, from, to));
    }

    /**
     * {@code out[i] = float(a[aOff + i])} for {@code from <= i < to}, {@code a} holding bfloat16 bits when {@code bf16},
     * else IEEE half-precision bits (converted one by one: F16 bases are rare).
     */
    public static void halfToF32(float[] out, short[] a, boolean bf16, int aOff, int from, int to) {
        if (bf16) bf16ToF32(out, a, aOff, from, to);
        else ScalarConvert.f16ToF32(out, a, aOff, from, to);
    }

    /** {@code out[i] = bf16(a[i])} for {@code i < n}, across the threads. */
    public static void f32ToBf16(short[] out, float[] a, int n) {
        Parallel.forRange(n, 1 << 16, (from, to) -> f32ToBf16(out, a, from, to));
    }

    /**
     * {@code out[i] = bf16(a[i])} for {@code from <= i < to}: the float's bits plus {@code 0x7FFF} plus the low bit of
     * the kept half (ties to even; a carry rounds up into the exponent), upper half kept; NaN gives {@code 0x7FC0}.
     */
    public static void f32ToBf16(short[] out, float[] a, int from, int to) {
        int i = from;
        if (Simd.ENABLED) {
            for (int end = from + F.loopBound(to - from); i < end; i += L) {
                FloatVector x = FloatVector.fromArray(F, a, i);
                IntVector bits = x.reinterpretAsInts();
                IntVector bias = bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7FFF);
                IntVector kept = bits.add(bias).lanewise(VectorOperators.LSHR, 16)
                        .blend(0x7FC0, x.test(VectorOperators.IS_NAN).cast(I));
                kept.convertShape(VectorOperators.I2S, S, 0).reinterpretAsShorts().intoArray(out, i);
            }
        }
        ScalarConvert.f32ToBf16(out, a, i, to);
    }
}
