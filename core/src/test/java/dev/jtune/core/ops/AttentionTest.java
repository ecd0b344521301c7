package dev.jtune.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import org.junit.jupiter.api.Test;

/** The fused attention op's edge semantics, its no-grad path and its error messages. */
class AttentionTest {

    private final Generator g = new Generator(5);
    private final Tensor q = Tensor.randn(g, DType.F32, 2, 3, 5, 4), k = Tensor.randn(g, DType.F32, 2, 3, 7, 4);
    private final Tensor v = Tensor.randn(g, DType.F32, 2, 3, 7, 6);

    @Test
    void aFullyPaddedRowAttendsUniformlyToEveryKeyAsHuggingFaceMasksDo() {
        Tensor mask = Tensor.ofLongs(new long[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, 2, 7);
        Tensor out = Functional.scaledDotProductAttention(q, k, v, mask, true, Double.NaN);
        Tensor meanOfValues = v.narrow(0, 0, 1).mean(2, true).expand(1, 3, 5, 6);
        assertArrayEquals(meanOfValues.toFloatArray(), out.narrow(0, 0, 1).toFloatArray(), 1e-6f);
    }

    @Test
    void withoutGradientsTheOutputIsTheSameAndNoNodeIsRecorded() {
        Tensor qg = q.detach().requiresGrad(true);
        Tensor recorded = Functional.scaledDotProductAttention(qg, k, v, null, true, Double.NaN, 0.2, new Generator(1));
        try (var scope = GradMode.noGrad()) {
            Tensor plain = Functional.scaledDotProductAttention(qg, k, v, null, true, Double.NaN, 0.2, new Generator(1));
            assertNull(plain.gradFn());
            assertArrayEquals(recorded.toFloatArray(), plain.toFloatArray());
        }
    }

    @Test
    void withoutGradientsKeysAndValuesInABufferWithRoomToGrowAreReadInPlace() {
        // A KV cache's [B, H, capacity, hs] buffer holding 7 of its 10 positions; the free positions hold NaN, so
        // reading them, or copying the view wrongly, would show in the output.
        Tensor kBuffer = Tensor.full(Float.NaN, DType.F32, 2, 3, 10, 4);
        Tensor vBuffer = Tensor.full(Float.NaN, DType.F32, 2, 3, 10, 6);
        kBuffer.narrow(2, 0, 7).copy_(k);
        vBuffer.narrow(2, 0, 7).copy_(v);
        Tensor kView = kBuffer.narrow(2, 0, 7), vView = vBuffer.narrow(2, 0, 7);
        assertEquals(40, Dispatch.matrixStride(kView));
        assertEquals(60, Dispatch.matrixStride(vView));
        try (var scope = GradMode.noGrad()) {
            Tensor dense = Functional.scaledDotProductAttention(q, k, v, null, true, Double.NaN);
            Tensor inPlace = Functional.scaledDotProductAttention(q, kView, vView, null, true, Double.NaN);
            assertArrayEquals(dense.toFloatArray(), inPlace.toFloatArray());
        }
    }

    @Test
    void groupedQueryAttentionIsAttentionOverRepeatedKeyHeadsInValueAndGradient() {
        // One key/value head serving all three query heads: PyTorch's enable_gqa, Llama's repeat_kv.
        Tensor k1 = Tensor.randn(g, DType.F32, 2, 1, 7, 4), v1 = Tensor.randn(g, DType.F32, 2, 1, 7, 6);
        Tensor kRepeated = k1.unsqueeze(2).expand(2, 1, 3, 7, 4).reshape(2, 3, 7, 4);
        Tensor vRepeated = v1.unsqueeze(2).expand(2, 1, 3, 7, 6).reshape(2, 3, 7, 6);
        try (var scope = GradMode.noGrad()) {
            Tensor repeated = Functional.scaledDotProductAttention(q, kRepeated, vRepeated, null, true, Double.NaN);
            Tensor grouped = Functional.scaledDotProductAttention(q, k1, v1, null, true, Double.NaN, 0, null, 0, true);
            assertArrayEquals(repeated.toFloatArray(), grouped.toFloatArray());
        }
        for (double dropout : new double[] {0, 0.3}) {  // with dropout, the same draws from the generator
            Tensor[] viaRepeat = gradients(q, k1, v1, false, dropout), grouped = gradients(q, k1, v1, true, dropout);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(viaRepeat[i].toFloatArray(), grouped[i].toFloatArray(), "input " + i + " p=" + dropout);
            }
        }

        var heads = assertThrows(IllegalArgumentException.class, () -> Functional.scaledDotProductAttention(q,
                Tensor.zeros(2, 2, 7, 4), Tensor.zeros(2, 2, 7, 6), null, true, Double.NaN, 0, null, 0, true));
        assertTrue(heads.getMessage().contains("multiple of H_kv"), heads.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Functional.scaledDotProductAttention(q, k1, v1, null, true, Double.NaN));
    }

    /** The gradients of q, k, v through grouped attention, or over explicitly repeated heads, with dropout p. */
    private static Tensor[] gradients(Tensor q, Tensor k, Tensor v, boolean grouped, double dropout) {
        Tensor qg = q.detach().requiresGrad(true), kg = k.detach().requiresGrad(true);
        Tensor vg = v.detach().requiresGrad(true);
        int h = q.size(1), b = k.size(0), t = k.size(2);
        Generator drops = new Generator(11);
        Tensor out = grouped
                ? Functional.scaledDotProductAttention(qg, kg, vg, null, true, Double.NaN, dropout, drops, 0, true)
                : Functional.scaledDotProductAttention(qg,
                        kg.unsqueeze(2).expand(b, 1, h, t, k.size(3)).reshape(b, h, t, k.size(3)),
                        vg.unsqueeze(2).expand(b, 1, h, t, v.size(3)).reshape(b, h, t, v.size(3)), null, true,
                        Double.NaN, dropout, drops);
        out.mul(out).sum().backward();
        return new Tensor[] {qg.grad(), kg.grad(), vg.grad()};
    }

    @Test
    void onlyEquallySpacedContiguousMatricesFromTheStartAreReadInPlace() {
        Tensor buffer = Tensor.zeros(2, 3, 10, 4);
        assertEquals(7 * 4, Dispatch.matrixStride(k), "dense");
        assertEquals(10 * 4, Dispatch.matrixStride(buffer.narrow(2, 0, 7)), "the filled part of a buffer");
        assertEquals(10 * 4, Dispatch.matrixStride(buffer.narrow(0, 0, 1).narrow(2, 0, 7)), "one batch row");
        assertEquals(-1, Dispatch.matrixStride(buffer.narrow(2, 1, 7)), "an offset");
        assertEquals(-1, Dispatch.matrixStride(buffer.narrow(1, 0, 2).narrow(2, 0, 7)), "heads of a batch row apart");
        assertEquals(-1, Dispatch.matrixStride(buffer.narrow(3, 0, 2)), "rows not contiguous");
        assertEquals(-1, Dispatch.matrixStride(k.transpose(2, 3)), "transposed");
        assertEquals(-1, Dispatch.matrixStride(Tensor.zeros(10, 2, 3, 4).permute(1, 2, 0, 3)), "time-major");
        assertEquals(-1, Dispatch.matrixStride(Tensor.zeros(2, 0, 7, 4)), "empty");
    }

    @Test
    void dropoutOfOneZeroesTheOutputAndDrawsNothing() {
        Generator drops = new Generator(9);
        Tensor out = Functional.scaledDotProductAttention(q, k, v, null, false, Double.NaN, 1, drops);
        assertArrayEquals(new float[out.numel()], out.toFloatArray());
        assertEquals(new Generator(9).nextLong(), drops.nextLong());
    }

    @Test
    void badInputsFailWithTheShapesAndValuesInvolved() {
        var shapes = assertThrows(IllegalArgumentException.class,
                () -> Functional.scaledDotProductAttention(q, k, v.narrow(2, 0, 6), null, true, Double.NaN));
        assertTrue(shapes.getMessage().contains("[2,3,7,4]") && shapes.getMessage().contains("[2,3,6,6]"),
                shapes.getMessage());
        var mask = assertThrows(IllegalArgumentException.class,
                () -> Functional.scaledDotProductAttention(q, k, v, Tensor.ones(2, 5), true, Double.NaN));
        assertTrue(mask.getMessage().contains("[B, Tk] = [2, 7]"), mask.getMessage());
        var p = assertThrows(IllegalArgumentException.class,
                () -> Functional.scaledDotProductAttention(q, k, v, null, true, Double.NaN, 1.5, new Generator(1)));
        assertTrue(p.getMessage().contains("1.5"), p.getMessage());
        var generator = assertThrows(IllegalArgumentException.class,
                () -> Functional.scaledDotProductAttention(q, k, v, null, true, Double.NaN, 0.1, null));
        assertTrue(generator.getMessage().contains("generator"), generator.getMessage());
    }
}
