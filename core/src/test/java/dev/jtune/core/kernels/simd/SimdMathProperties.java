package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;

/**
 * The vector path of every transcendental kernel equals its scalar twin bit for bit on every lane (so the split between
 * vector body and scalar tail, which moves with the thread count, cannot change a result), and exp saturates like
 * {@link Math#exp}.
 */
class SimdMathProperties {

    private static final int L = Simd.F.length();
    static final Map<String, SimdKernel> KERNELS = Map.ofEntries(
            Map.entry("exp", SimdUnary::exp), Map.entry("log", SimdUnary::log), Map.entry("tanh", SimdUnary::tanh),
            Map.entry("sigmoid", SimdUnary::sigmoid), Map.entry("silu", SimdUnary::silu),
            Map.entry("silu'", SimdUnary::siluGrad), Map.entry("gelu", SimdUnary::gelu),
            Map.entry("gelu'", SimdUnary::geluGrad), Map.entry("gelu_tanh", SimdUnary::geluTanh),
            Map.entry("gelu_tanh'", SimdUnary::geluTanhGrad));

    @Property
    void everyLaneEqualsTheScalarTwin(@ForAll float x, @ForAll float y) {
        float[] in = new float[2 * L + 1], out = new float[in.length];
        for (int i = 0; i < in.length; i++) in[i] = i % 2 == 0 ? x : y;
        KERNELS.forEach((name, kernel) -> {
            kernel.run(out, in, 0, 0, in.length);
            for (int i = 0; i < in.length; i++) {
                float scalar = kernel.scalar(in[i]);
                assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(out[i]),
                        name + "(" + in[i] + "): element " + i + " of " + in.length + " is " + out[i] + ", alone " + scalar);
            }
        });
    }

    @Property
    void expSaturatesLikeMathExp(@ForAll @FloatRange(min = 89f, max = 1e30f) float x) {
        assertEquals(Float.POSITIVE_INFINITY, SimdMath.exp(x));
        assertEquals(0f, SimdMath.exp(-x * 2)); // below -178: far under the smallest subnormal
        assertTrue(Float.isNaN(SimdMath.exp(Float.NaN)));
    }
}
