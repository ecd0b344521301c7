package dev.jtune.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link HalfFloats} against definitions written from the formats' specifications: widening over all 65536
 * patterns of each format, narrowing as "the nearest representable value, ties to the even pattern" on every
 * half-way point between neighbours and on random floats.
 */
class HalfFloatsTest {

    /** The value of a 16-bit pattern with {@code e} exponent and {@code m} mantissa bits, from the IEEE definition. */
    private static double reference(int bits, int e, int m) {
        int sign = bits >>> (e + m) & 1;
        int exponent = bits >>> m & ((1 << e) - 1);
        int mantissa = bits & ((1 << m) - 1);
        int bias = (1 << (e - 1)) - 1;
        double magnitude;
        if (exponent == (1 << e) - 1) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = Math.scalb((double) mantissa, 1 - bias - m); // subnormal: no implicit 1
        } else {
            magnitude = Math.scalb((double) ((1 << m) | mantissa), exponent - bias - m);
        }
        return sign == 1 ? -magnitude : magnitude;
    }

    private static double referenceF16(int bits) {
        return reference(bits, 5, 10);
    }

    private static double referenceBf16(int bits) {
        return reference(bits, 8, 7);
    }

    @Test
    void f16ToFloatIsExactOnAll65536Patterns() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float f = HalfFloats.f16ToFloat((short) bits);
            double expected = referenceF16(bits);
            if (Double.isNaN(expected)) {
                // Sign and payload are kept (the 10 mantissa bits become the top of the 23) and the NaN is quiet,
                // as x86's conversion instruction and c10's portable code (through a float multiply) both give.
                int want = (bits & 0x8000) << 16 | 0x7FC00000 | (bits & 0x3FF) << 13;
                assertEquals(want, Float.floatToRawIntBits(f), "NaN payload of 0x" + Integer.toHexString(bits));
            } else {
                assertEquals(expected, f, 0.0, "0x" + Integer.toHexString(bits));
                assertEquals(bits >>> 15, Float.floatToRawIntBits(f) >>> 31, "sign of 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void bf16ToFloatIsExactOnAll65536Patterns() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            float f = HalfFloats.bf16ToFloat((short) bits);
            double expected = referenceBf16(bits);
            if (Double.isNaN(expected)) {
                assertTrue(Float.isNaN(f));
                assertEquals(bits << 16, Float.floatToRawIntBits(f), "NaN bits of 0x" + Integer.toHexString(bits));
            } else {
                assertEquals(expected, f, 0.0, "0x" + Integer.toHexString(bits));
                assertEquals(bits >>> 15, Float.floatToRawIntBits(f) >>> 31, "sign of 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void narrowingInvertsWideningOnEveryNonNaNPattern() {
        for (int bits = 0; bits < 1 << 16; bits++) {
            if (!Double.isNaN(referenceF16(bits))) {
                assertEquals((short) bits, HalfFloats.floatToF16(HalfFloats.f16ToFloat((short) bits)));
            }
            if (!Double.isNaN(referenceBf16(bits))) {
                assertEquals((short) bits, HalfFloats.floatToBf16(HalfFloats.bf16ToFloat((short) bits)));
            }
        }
    }

    @Test
    void nanNarrowsToTorchsCanonicalQuietNaN() {
        float payloadNaN = Float.intBitsToFloat(0x7F80_1234);
        float negativeNaN = Float.intBitsToFloat(0xFFC0_0001);
        assertEquals((short) 0x7FC0, HalfFloats.floatToBf16(payloadNaN));
        assertEquals((short) 0x7FC0, HalfFloats.floatToBf16(negativeNaN));
        assertEquals((short) 0x7E00, HalfFloats.floatToF16(payloadNaN));
        assertEquals((short) 0xFE00, HalfFloats.floatToF16(negativeNaN));
    }

    @Test
    void namedRoundingEdgeCases() {
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(65504f), "largest f16");
        assertEquals((short) 0x7BFF, HalfFloats.floatToF16(Math.nextDown(65520f)), "just below the overflow point");
        assertEquals((short) 0x7C00, HalfFloats.floatToF16(65520f), "half-way to 2^16 rounds to infinity");
        assertEquals((short) 0x0001, HalfFloats.floatToF16(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, HalfFloats.floatToF16(0x1p-25f), "half the smallest subnormal ties to zero");
        assertEquals((short) 0x0001, HalfFloats.floatToF16(Math.nextUp(0x1p-25f)), "just above rounds up");
        assertEquals((short) 0x8000, HalfFloats.floatToF16(-0x1p-26f), "tiny negatives keep their sign");
        assertEquals((short) 0x0400, HalfFloats.floatToF16(Math.nextDown(0x1p-14f)), "rounds up into the normals");
        assertEquals((short) 0x3C00, HalfFloats.floatToF16(1f + 0x1p-11f), "1 + half an ulp ties to even (1)");
        assertEquals((short) 0x3C02, HalfFloats.floatToF16(1f + 3 * 0x1p-11f), "1 + 1.5 ulp ties to even (1 + 2 ulp)");

        assertEquals((short) 0x3F80, HalfFloats.floatToBf16(1f + 0x1p-8f), "1 + half an ulp ties to even (1)");
        assertEquals((short) 0x3F82, HalfFloats.floatToBf16(1f + 3 * 0x1p-8f), "1 + 1.5 ulp ties to even");
        assertEquals((short) 0x7F80, HalfFloats.floatToBf16(Float.MAX_VALUE), "float max rounds to infinity");
        assertEquals((short) 0x0002, HalfFloats.floatToBf16(1.5f * 0x1p-133f), "subnormal 1.5 ulp ties to even");
        assertEquals((short) 0x0000, HalfFloats.floatToBf16(0x1p-134f), "half the smallest subnormal ties to zero");
        assertEquals((short) 0xFF80, HalfFloats.floatToBf16(Float.NEGATIVE_INFINITY));
    }

    @Test
    void everyHalfWayPointTiesToEvenAndItsNeighboursRoundToTheNearer() {
        checkHalfWayPoints(16, 10, HalfFloats::floatToF16, HalfFloatsTest::referenceF16);
        checkHalfWayPoints(16, 7, HalfFloats::floatToBf16, HalfFloatsTest::referenceBf16);
    }

    private interface Narrowing {
        short apply(float f);
    }

    private interface Definition {
        double value(int bits);
    }

    /** For each pair of neighbouring positive finite patterns (and the largest with infinity), in both signs. */
    private static void checkHalfWayPoints(int width, int mantissaBits, Narrowing narrow, Definition def) {
        int infinity = ((1 << (width - mantissaBits - 1)) - 1) << mantissaBits;
        for (int lo = 0; lo < infinity; lo++) {
            int hi = lo + 1;
            // Infinity stands in for the next power of two: IEEE overflows from half-way to it on.
            double hiValue = hi == infinity ? Math.scalb(1.0, Math.getExponent(def.value(lo)) + 1) : def.value(hi);
            float mid = (float) ((def.value(lo) + hiValue) / 2); // exact: one bit more than the format
            assertEquals((def.value(lo) + hiValue) / 2, mid, 0.0);
            int even = (lo & 1) == 0 ? lo : hi;
            for (int sign : new int[] {0, 1 << (width - 1)}) {
                float s = sign == 0 ? 1f : -1f;
                String what = "between 0x" + Integer.toHexString(sign | lo) + " and 0x" + Integer.toHexString(sign | hi);
                assertEquals((short) (sign | even), narrow.apply(s * mid), "tie " + what);
                assertEquals((short) (sign | lo), narrow.apply(s * Math.nextDown(mid)), "below the tie " + what);
                assertEquals((short) (sign | hi), narrow.apply(s * Math.nextUp(mid)), "above the tie " + what);
            }
        }
    }

    @Test
    void randomFloatsNarrowToTheNearestValueTiesToEven() {
        double[] f16 = positiveFiniteValues(HalfFloatsTest::referenceF16, 0x7C00);
        double[] bf16 = positiveFiniteValues(HalfFloatsTest::referenceBf16, 0x7F80);
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 1_000_000; i++) {
            // Exponents spread over the whole float range, so subnormal, normal and overflowing inputs all occur.
            float f = Float.intBitsToFloat(random.nextInt());
            if (Float.isNaN(f)) continue;
            assertEquals(nearest(f16, f), HalfFloats.floatToF16(f), "f16 of " + f);
            assertEquals(nearest(bf16, f), HalfFloats.floatToBf16(f), "bf16 of " + f);
        }
    }

    /** The values of patterns 0 .. infinity - 1, followed by the overflow threshold's twin: the next power of two. */
    private static double[] positiveFiniteValues(Definition def, int infinity) {
        double[] values = new double[infinity + 1];
        for (int bits = 0; bits < infinity; bits++) values[bits] = def.value(bits);
        values[infinity] = Math.scalb(1.0, Math.getExponent(values[infinity - 1]) + 1);
        return values;
    }

    /** The nearest pattern by the definition: index into {@code values}, ties to the even index, with the sign. */
    private static short nearest(double[] values, float f) {
        double x = Math.abs((double) f);
        int at = Arrays.binarySearch(values, x);
        int bits;
        if (at >= 0) {
            bits = at;
        } else {
            int hi = -at - 1;
            if (hi == values.length) {
                bits = values.length - 1;
            } else {
                double below = x - values[hi - 1], above = values[hi] - x;
                bits = below < above ? hi - 1 : above < below ? hi : ((hi & 1) == 0 ? hi : hi - 1);
            }
        }
        int sign = Float.floatToRawIntBits(f) < 0 ? 0x8000 : 0;
        return (short) (sign | bits);
    }
}
