package dev.jtune.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Forward values of ops against hand-computed numbers, views, autograd mechanics and error messages. */
class TensorOpsTest {

    private static Tensor t(double[] data, int... shape) {
        return Tensor.of(data, shape);
    }

    @Test
    void broadcastingAddFollowsNumpyRules() {
        Tensor a = t(new double[] {1, 2, 3}, 3, 1), b = t(new double[] {10, 20}, 2);
        Tensor c = a.add(b);
        assertArrayEquals(new int[] {3, 2}, c.shape());
        assertArrayEquals(new double[] {11, 21, 12, 22, 13, 23}, c.toDoubleArray());
    }

    @Test
    void matmulMatchesHandComputedProductIncludingTransposedOperand() {
        Tensor a = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = t(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new double[] {4, 5, 10, 11}, a.matmul(b).toDoubleArray());
        assertArrayEquals(new double[] {14, 32, 32, 77}, a.matmul(a.t()).toDoubleArray());
    }

    @Test
    void softmaxAndLogSoftmaxMatchClosedForm() {
        Tensor x = t(new double[] {1, 2, 3}, 3);
        double z = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double[] s = x.softmax(0).toDoubleArray();
        assertEquals(Math.exp(2) / z, s[1], 1e-15);
        assertEquals(3 - Math.log(z), x.logSoftmax(0).toDoubleArray()[2], 1e-14);
    }

    @Test
    void softmaxAlongFirstDimNormalisesColumns() {
        Tensor x = t(new double[] {1, 2, 3, 4}, 2, 2);
        double[] s = x.softmax(0).toDoubleArray();
        assertEquals(1, s[0] + s[2], 1e-15);
        assertEquals(1 / (1 + Math.exp(2)), s[0], 1e-15);
    }

    @Test
    void crossEntropyIsMeanOverNonIgnoredTargets() {
        Tensor logits = t(new double[] {0, 0, Math.log(3), 5, 5, 5}, 2, 3);
        Tensor target = Tensor.ofLongs(new long[] {2, -100}, 2);
        assertEquals(-Math.log(3.0 / 5.0), Functional.crossEntropy(logits, target).item(), 1e-14);
        Tensor none = Functional.crossEntropy(logits, target, -100, Losses.Reduction.NONE);
        assertArrayEquals(new double[] {-Math.log(0.6), 0}, none.toDoubleArray(), 1e-14);
    }

    @Test
    void crossEntropyWithoutGradIsTheSameBitsAsTheLossThatKeepsItsLogProbabilities() {
        Generator g = new Generator(11);
        long[] ids = new long[37];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 5 == 2 ? -100 : g.nextInt(1001);
        Tensor target = Tensor.ofLongs(ids, ids.length);
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor stored = Tensor.randn(g, dtype, 1001, 37).mul(4);  // read transposed: a strided view
            for (Losses.Reduction reduction : Losses.Reduction.values()) {
                Tensor kept = Functional.crossEntropy(stored.t().requiresGrad(true), target, -100, reduction);
                Tensor straight = Functional.crossEntropy(stored.t(), target, -100, reduction);
                assertTrue(kept.requiresGrad() && !straight.requiresGrad());
                assertArrayEquals(kept.toDoubleArray(), straight.toDoubleArray(), 0.0, dtype + " " + reduction);
            }
        }
    }

    @Test
    void crossEntropyRejectsOutOfRangeTargetNamingIt() {
        Tensor logits = Tensor.zeros(DType.F64, 2, 3);
        var e = assertThrows(IndexOutOfBoundsException.class,
                () -> Functional.crossEntropy(logits, Tensor.ofLongs(new long[] {0, 3}, 2)));
        assertTrue(e.getMessage().contains("target 3 at position 1"), e.getMessage());
    }

    @Test
    void layerNormNormalisesEachRow() {
        Tensor x = t(new double[] {1, 2, 3, 4, 10, 10, 10, 10}, 2, 4);
        double[] y = Functional.layerNorm(x, null, null, 0).toDoubleArray();
        double sd = Math.sqrt(1.25);
        assertArrayEquals(new double[] {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd}, java.util.Arrays.copyOf(y, 4), 1e-14);
        assertTrue(Double.isNaN(y[4]), "zero variance with eps 0 divides by zero");
    }

    @Test
    void varianceUsesBesselCorrectionByRequest() {
        Tensor x = t(new double[] {1, 2, 3, 4}, 4);
        assertEquals(5.0 / 3.0, x.var(0, 1, false).item(), 1e-15);
        assertEquals(1.25, x.var(0, 0, false).item(), 1e-15);
    }

    @Test
    void maxAndArgmaxPickTheFirstMaximum() {
        Tensor x = t(new double[] {1, 5, 5, 2, 0, -1}, 2, 3);
        assertArrayEquals(new double[] {5, 2}, x.max(1, false).toDoubleArray());
        assertArrayEquals(new long[] {1, 0}, x.argmax(1, false).toLongArray());
        assertEquals(5, x.max().item());
    }

    @Test
    void viewsShareStorageAndCopiesDoNot() {
        Tensor x = t(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor tr = x.t();
        assertSame(x.storage(), tr.storage());
        assertFalse(tr.isContiguous());
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, tr.contiguous().toDoubleArray());
        assertArrayEquals(new double[] {2, 5}, x.narrow(1, 1, 1).toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3, 1, 2, 3}, x.narrow(0, 0, 1).expand(2, 3).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> tr.view(6));
        assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, tr.reshape(6).toDoubleArray());
    }

    @Test
    void catSplitAndChunkFollowPyTorch() {
        Tensor a = t(new double[] {1, 2}, 1, 2), b = t(new double[] {3, 4, 5, 6}, 2, 2);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, Tensor.cat(List.of(a, b), 0).toDoubleArray());
        Tensor x = Tensor.arange(0, 5, 1, DType.F64);
        assertEquals(3, x.split(2, 0).size());
        assertArrayEquals(new double[] {4}, x.split(2, 0).get(2).toDoubleArray());
        assertEquals(3, x.chunk(2, 0).getFirst().numel());
        assertArrayEquals(new int[] {2, 2, 1}, Tensor.stack(List.of(a.t(), a.t()), 0).shape());
    }

    @Test
    void catCopiesStridedInputsOfAnyDtypeIntoTheirSlices() {
        Tensor a = Tensor.arange(0, 6, 1, DType.F32).reshape(2, 3);  // a^T: [[0, 3], [1, 4], [2, 5]]
        assertArrayEquals(new double[] {0, 3, 0, 1, 4, 1, 2, 5, 2},
                Tensor.cat(List.of(a.t(), a.t().narrow(1, 0, 1)), 1).toDoubleArray());
        assertArrayEquals(new long[] {1, 2, 3}, Tensor.cat(List.of(Tensor.ofLongs(new long[] {1, 2}, 2),
                Tensor.ofLongs(new long[] {3}, 1)), 0).toLongArray());
    }

    @Test
    void inPlaceWritesIntoViewsChangeOnlyTheViewsElements() {
        for (DType dtype : new DType[] {DType.F32, DType.F64, DType.I64}) {
            Tensor x = Tensor.arange(0, 6, 1, dtype).reshape(2, 3);
            x.t().narrow(0, 1, 2).copy_(Tensor.arange(10, 14, 1, dtype).reshape(2, 2));  // x[:, 1:]^T
            assertArrayEquals(new double[] {0, 10, 12, 3, 11, 13}, x.toDoubleArray(), dtype.name());
            x.narrow(1, 0, 1).fill_(-1);
            assertArrayEquals(new double[] {-1, 10, 12, -1, 11, 13}, x.toDoubleArray(), dtype.name());
            x.narrow(0, 1, 1).copy_(Tensor.full(7, dtype, 1));  // broadcast source
            assertArrayEquals(new double[] {-1, 10, 12, 7, 7, 7}, x.toDoubleArray(), dtype.name());
        }
        Tensor y = Tensor.zeros(2, 3);
        y.t().narrow(0, 2, 1).add_(Tensor.ones(1)).mul_(3);
        assertArrayEquals(new double[] {0, 0, 3, 0, 0, 3}, y.toDoubleArray());
    }

    @Test
    void copyFromAViewOfItsOwnStorageReadsTheSourceAsItWasBefore() {
        Tensor x = Tensor.arange(0, 5, 1, DType.F32);
        x.narrow(0, 1, 4).copy_(x.narrow(0, 0, 4));
        assertArrayEquals(new double[] {0, 0, 1, 2, 3}, x.toDoubleArray());
        Tensor m = Tensor.arange(0, 4, 1, DType.F32).reshape(2, 2);
        m.copy_(m.t());
        assertArrayEquals(new double[] {0, 2, 1, 3}, m.toDoubleArray());
    }

    @Test
    void inPlaceWritesIntoAnExpandedViewAreRejected() {
        Tensor e = Tensor.zeros(1).expand(3);
        var fill = assertThrows(IllegalArgumentException.class, () -> e.fill_(1));
        assertTrue(fill.getMessage().contains("fill_: the destination of shape [3] is expanded along dim 0"),
                fill.getMessage());
    }

    @Test
    void triangularMasksKeepTheRightDiagonals() {
        Tensor x = Tensor.ones(DType.F64, 3, 3);
        assertArrayEquals(new double[] {0, 1, 1, 0, 0, 1, 0, 0, 0}, x.triu(1).toDoubleArray());
        assertArrayEquals(new double[] {1, 0, 0, 1, 1, 0, 1, 1, 1}, x.tril(0).toDoubleArray());
    }

    @Test
    void causalAttentionOfTheFirstQueryReturnsTheFirstValue() {
        Generator g = new Generator(3);
        Tensor q = Tensor.randn(g, DType.F64, 1, 1, 3, 2), k = Tensor.randn(g, DType.F64, 1, 1, 3, 2);
        Tensor v = Tensor.randn(g, DType.F64, 1, 1, 3, 2);
        Tensor out = Functional.scaledDotProductAttention(q, k, v, null, true, Double.NaN);
        assertArrayEquals(v.narrow(2, 0, 1).toDoubleArray(), out.narrow(2, 0, 1).toDoubleArray(), 1e-15);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor w = t(new double[] {2}, 1).requiresGrad(true);
        w.mul(3).sum().backward();
        w.mul(3).sum().backward();
        assertEquals(6, w.grad().item());
        w.zeroGrad();
        assertNull(w.grad());
    }

    @Test
    void leavesThatReceiveTheSameGradientKeepSeparateBuffersAcrossAccumulation() {
        Tensor a = t(new double[] {1, 2}, 2).requiresGrad(true), b = t(new double[] {3, 4}, 2).requiresGrad(true);
        a.add(b).sum().backward();  // add's backward hands the same gradient to both leaves
        a.add(b).sum().backward();
        assertArrayEquals(new double[] {2, 2}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {2, 2}, b.grad().toDoubleArray());
        assertFalse(a.grad().storage() == b.grad().storage());
        Tensor seed = t(new double[] {1, 1}, 2);
        a.zeroGrad();
        a.mul(1.0).backward(seed);
        a.mul(1.0).backward(seed);
        assertArrayEquals(new double[] {1, 1}, seed.toDoubleArray(), "the caller's gradient is never accumulated into");
    }

    @Test
    void anEmbeddingGradientIsAddedIntoAnExistingGradientBuffer() {
        Tensor w = t(new double[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
        Tensor ids = Tensor.ofLongs(new long[] {2, 0, 2}, 3);
        // tied use in one pass: the matmul's gradient arrives first, then the lookup's is scattered into it
        Tensor x = t(new double[] {1, -1}, 1, 2);
        x.matmul(w.t()).sum().add(Functional.embedding(w, ids).sum()).backward();
        assertArrayEquals(new double[] {2, 0, 1, -1, 3, 1}, w.grad().toDoubleArray());
        Functional.embedding(w, ids).sum().backward();  // and across backward calls
        assertArrayEquals(new double[] {3, 1, 1, -1, 5, 3}, w.grad().toDoubleArray());
    }

    @Test
    void derivativeHelpersCannotBeDifferentiatedAndStepFunctionsHaveZeroGradient() {
        Tensor x = t(new double[] {-1, 2}, 2).requiresGrad(true);
        assertThrows(IllegalArgumentException.class, () -> Pointwise.apply(x, dev.jtune.core.backend.UnaryOp.GELU_GRAD));
        Pointwise.apply(x, dev.jtune.core.backend.UnaryOp.SIGN).sum().backward();
        assertArrayEquals(new double[] {0, 0}, x.grad().toDoubleArray());
    }

    @Test
    void deepGraphsBackpropagateWithoutStackOverflow() {
        Tensor w = t(new double[] {1}, 1).requiresGrad(true);
        Tensor x = w;
        for (int i = 0; i < 100_000; i++) x = x.mul(1.0);
        x.sum().backward();
        assertEquals(1, w.grad().item());
    }

    @Test
    void noGradScopeRecordsNothingAndRestores() {
        Tensor w = t(new double[] {1}, 1).requiresGrad(true);
        try (var scope = GradMode.noGrad()) {
            assertFalse(w.mul(2).requiresGrad());
        }
        assertTrue(w.mul(2).requiresGrad());
        assertFalse(w.mul(2).detach().requiresGrad());
    }

    @Test
    void modifyingATensorSavedForBackwardFailsClearly() {
        Tensor w = t(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = w.exp();
        Tensor z = y.mul(y).sum();
        y.mul_(2);
        var e = assertThrows(IllegalStateException.class, z::backward);
        assertTrue(e.getMessage().contains("modified by an in-place operation"), e.getMessage());
    }

    @Test
    void inPlaceOnALeafThatRequiresGradIsRejected() {
        Tensor w = t(new double[] {1}, 1).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> w.add_(w));
        try (var scope = GradMode.noGrad()) {
            w.add_(t(new double[] {1}, 1));
        }
        assertEquals(2, w.item());
    }

    @Test
    void errorsNameTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
        assertEquals("matmul: [2,3] @ [4,5]: inner dimensions 3 != 4", e.getMessage());
        var add = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(add.getMessage().contains("add: shapes [2,3] and [4,5] do not broadcast"), add.getMessage());
        var dt = assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.zeros(DType.F64, 2, 3)));
        assertTrue(dt.getMessage().contains("dtype mismatch F32"), dt.getMessage());
        var emb = assertThrows(IndexOutOfBoundsException.class,
                () -> Functional.embedding(Tensor.zeros(4, 2), Tensor.ofLongs(new long[] {1, 7}, 2)));
        assertTrue(emb.getMessage().contains("index 7 at position 1 is out of range for dim 0 of size 4"), emb.getMessage());
    }

    @Test
    void dropoutIsDeterministicForASeedAndIdentityInEval() {
        Tensor x = Tensor.ones(DType.F32, 1000);
        Tensor a = Functional.dropout(x, 0.5, true, new Generator(7)), b = Functional.dropout(x, 0.5, true, new Generator(7));
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        double kept = a.sum().item() / 2;
        assertTrue(kept > 400 && kept < 600, "about half kept: " + kept);
        assertSame(x, Functional.dropout(x, 0.5, false, new Generator(7)));
    }

    @Test
    void bf16ConvertsToF32Exactly() {
        Tensor h = Tensor.ofHalves(DType.BF16, new short[] {(short) 0x3F80, (short) 0xC040}, 2);
        assertArrayEquals(new float[] {1f, -3f}, h.to(DType.F32).toFloatArray());
    }
}
