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
}
