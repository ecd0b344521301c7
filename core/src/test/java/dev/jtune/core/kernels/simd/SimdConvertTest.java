package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.io.HalfFloats;
import dev.jtune.core.kernels.ScalarConvert;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link SimdConvert#bf16ToF32} gives the bits of its scalar twin and of {@link HalfFloats#bf16ToFloat} on every
 * bfloat16 bit pattern (NaNs with payloads, infinities, signed zeros, subnormals), on sizes around the vector length,
 * with input offsets and output ranges that start mid-vector, leaving the rest of the output untouched.
 * {@link SimdConvert#f32ToBf16} gives its scalar twin's bits on floats chosen to round every way (ties either side,
 * carries into the exponent and to infinity, subnormals, NaNs with payloads) and on random bit patterns.
 */
class SimdConvertTest {

    private static final int L = Simd.F.length();

    @Test
    void everyBf16BitPatternConvertsToTheScalarTwinsBits() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        float[] simd = new float[all.length], scalar = new float[all.length];
        SimdConvert.bf16ToF32(simd, all, 0, 0, all.length);
        ScalarConvert.bf16ToF32(scalar, all, 0, 0, all.length);
        for (int i = 0; i < all.length; i++) {
            assertEquals(Float.floatToRawIntBits(scalar[i]), Float.floatToRawIntBits(simd[i]), "bits " + i);
            assertEquals(Float.floatToRawIntBits(HalfFloats.bf16ToFloat(all[i])), Float.floatToRawIntBits(simd[i]));
        }
    }

    /**
     * IEEE half precision goes through {@link HalfFloats} on every path, so a NaN comes out the same whether or not
     * the JIT has compiled the loop: {@code Float.float16ToFloat} keeps a signalling NaN signalling when interpreted
     * and quiets it as compiled (x86's conversion instruction), and {@code Float.floatToFloat16} keeps a NaN's payload
     * where torch writes {@code 0x7E00}. Run five times over every pattern, so the later runs are compiled code.
     */
    @Test
    void everyF16PathGivesHalfFloatsBitsInterpretedOrCompiled() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        Tensor halves = Tensor.ofHalves(DType.F16, all, all.length);
        for (int run = 0; run < 5; run++) {
            float[] kernel = new float[all.length];
            SimdConvert.halfToF32(kernel, all, false, all.length);  // a frozen F16 weight widened for a product
            float[] tensor = halves.to(DType.F32).toFloatArray();
            short[] back = Tensor.of(tensor, tensor.length).to(DType.F16).storage().halves();
            for (int i = 0; i < all.length; i++) {
                int want = Float.floatToRawIntBits(HalfFloats.f16ToFloat(all[i]));
                assertEquals(want, Float.floatToRawIntBits(kernel[i]), "SimdConvert.halfToF32 of 0x" + hex(i));
                assertEquals(want, Float.floatToRawIntBits(tensor[i]), "to(F32) of 0x" + hex(i));
                assertEquals(HalfFloats.floatToF16(tensor[i]), back[i], "to(F16) of to(F32) of 0x" + hex(i));
            }
        }
        // A NaN's payload is dropped on the way to F16: torch's quiet NaN 0x7E00, with the sign.
        Tensor nans = Tensor.of(new float[] {Float.intBitsToFloat(0x7F80_0001), Float.intBitsToFloat(0xFFC1_2345)}, 2);
        assertArrayEquals(new short[] {0x7E00, (short) 0xFE00}, nans.to(DType.F16).storage().halves());
    }

    private static String hex(int bits) {
        return Integer.toHexString(bits);
    }

    @Test
    void awkwardSizesOffsetsAndRangesMatchTheScalarTwin() {
        Random rnd = new Random(7);
        for (int n : new int[] {0, 1, 2, L - 1, L, L + 1, 2 * L + 3, 1009}) {
            for (int aOff : new int[] {0, 1, 3}) {
                short[] a = new short[aOff + n];
                for (int i = 0; i < a.length; i++) a[i] = (short) rnd.nextInt();
                int from = n == 0 ? 0 : rnd.nextInt(n + 1), to = from + (n == from ? 0 : rnd.nextInt(n - from + 1));
                float[] simd = new float[n], scalar = new float[n];
                Arrays.fill(simd, -7f);
                Arrays.fill(scalar, -7f);
                SimdConvert.bf16ToF32(simd, a, aOff, from, to);
                ScalarConvert.bf16ToF32(scalar, a, aOff, from, to);
                assertArrayEquals(scalar, simd, "n " + n + " offset " + aOff + " range [" + from + ", " + to + ")");
            }
        }
    }

    @Test
    void tensorToConvertsABf16ViewElementByElement() {
        Tensor x = Tensor.randn(new dev.jtune.core.Generator(3), DType.F32, 37, 29).to(DType.BF16);
        Tensor view = x.transpose(0, 1).narrow(0, 3, 17);  // strided: made dense first
        float[] got = view.to(DType.F32).toFloatArray();
        double[] want = view.toDoubleArray();
        for (int i = 0; i < want.length; i++) assertEquals((float) want[i], got[i], "element " + i);
    }

    @Test
    void floatsThatRoundEveryWayConvertToTheScalarTwinsBf16Bits() {
        Random rnd = new Random(11);
        float[] a = new float[1 << 16];
        for (int i = 0; i < a.length; i++) {
            int upper = rnd.nextInt(1 << 16) << 16;
            int lower = switch (i % 6) {
                case 0 -> 0x8000;  // a tie: rounds to the even neighbour
                case 1 -> 0x7FFF;
                case 2 -> 0x8001;
                case 3 -> 0xFFFF;  // carries into the next bfloat16, across the exponent at 0x..7F_FFFF
                default -> rnd.nextInt(1 << 16);
            };
            a[i] = Float.intBitsToFloat(upper | lower);
        }
        float[] special = {Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0f, 0f, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xFF800001), Float.intBitsToFloat(0x7FFFFFFF),
            Float.intBitsToFloat(0x7F7F8000), Float.intBitsToFloat(0x007F8000)};
        System.arraycopy(special, 0, a, 5, special.length);
        short[] simd = new short[a.length], scalar = new short[a.length];
        SimdConvert.f32ToBf16(simd, a, 0, a.length);
        ScalarConvert.f32ToBf16(scalar, a, 0, a.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(scalar[i], simd[i], "float bits " + Integer.toHexString(Float.floatToRawIntBits(a[i])));
        }
        assertEquals((short) 0x7F80, HalfFloats.floatToBf16(Float.MAX_VALUE));  // the scalar twin itself: rounds to inf
        assertEquals((short) 0x7FC0, simd[12]);
    }

    @Test
    void f32ToBf16OnAwkwardRangesAndAcrossThreadsMatchesTheScalarTwin() {
        Random rnd = new Random(13);
        for (int n : new int[] {0, 1, 2, L - 1, L, L + 1, 2 * L + 3, 1009, (1 << 17) + 5}) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = Float.intBitsToFloat(rnd.nextInt());
            int from = n == 0 ? 0 : rnd.nextInt(n + 1), to = from + (n == from ? 0 : rnd.nextInt(n - from + 1));
            short[] simd = new short[n], scalar = new short[n];
            Arrays.fill(simd, (short) -7);
            Arrays.fill(scalar, (short) -7);
            SimdConvert.f32ToBf16(simd, a, from, to);
            ScalarConvert.f32ToBf16(scalar, a, from, to);
            assertArrayEquals(scalar, simd, "n " + n + " range [" + from + ", " + to + ")");
            short[] whole = new short[n];
            SimdConvert.f32ToBf16(whole, a, n);
            ScalarConvert.f32ToBf16(scalar, a, 0, n);
            assertArrayEquals(scalar, whole, "n " + n + ", across the threads");
        }
    }

    @Test
    void tensorToBf16IsTheScalarRoundingOfEachElement() {
        Tensor x = Tensor.randn(new dev.jtune.core.Generator(5), DType.F32, 41, 23);
        Tensor view = x.transpose(0, 1).narrow(0, 2, 19);  // strided: made dense first
        Tensor got = view.to(DType.BF16);
        float[] want = view.toFloatArray();
        for (int i = 0; i < want.length; i++) {
            assertEquals(HalfFloats.floatToBf16(want[i]), got.storage().halves()[i], "element " + i);
        }
    }
}
