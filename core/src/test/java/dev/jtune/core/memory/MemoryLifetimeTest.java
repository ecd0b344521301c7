package dev.jtune.core.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backends;
import org.junit.jupiter.api.Test;

class MemoryLifetimeTest {

    private static final int N = 8192;  // 32 KiB of F32: large enough to be pooled

    @Test
    void readingATensorAfterItsScopeClosedFailsWithTheReason() {
        Tensor t;
        try (MemoryScope scope = MemoryScope.open()) {
            t = Tensor.ones(N).mul(3);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, t::toFloatArray);
        assertTrue(e.getMessage().contains("released when its MemoryScope closed"), e.getMessage());
    }

    @Test
    void aReleasedBufferIsReusedZeroFilledAndTheOldTensorCannotSeeTheNewData() {
        Tensor old;
        try (MemoryScope scope = MemoryScope.open()) {
            old = Tensor.ones(N).mul(7);
        }
        long hits = Backends.current().buffers().stats().hits();
        Tensor fresh = Tensor.zeros(N);
        assertTrue(Backends.current().buffers().stats().hits() > hits, "the released buffer is taken from the pool");
        assertArrayEquals(new float[N], fresh.toFloatArray(), "a reused buffer is zero-filled for zeros()");
        fresh.add_(Tensor.ones(N));
        assertThrows(IllegalStateException.class, () -> old.get(0), "the released tensor must not read the new data");
    }

    @Test
    void keptTensorsOutliveTheirScopeAndParametersAreNeverOwnedByOne() {
        Tensor kept, parameter;
        try (MemoryScope scope = MemoryScope.open()) {
            parameter = Tensor.ones(N).requiresGrad(true);
            kept = scope.keep(Tensor.ones(N).mul(2));
        }
        assertEquals(2, kept.get(5));
        assertEquals(1, parameter.get(5));
    }

    @Test
    void anOuterScopeCanOwnWhatAnInnerOneMadeUntilItClosesItself() {
        Tensor owned, temporary;
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope inner = MemoryScope.open()) {
                assertSame(inner, MemoryScope.current());
                owned = outer.own(Tensor.ones(N).mul(4));  // a KV cache's buffer, made by one step
                temporary = Tensor.ones(N).mul(5);
            }
            assertSame(outer, MemoryScope.current());
            assertEquals(4, owned.get(3), "still alive after the inner scope closed");
            assertThrows(IllegalStateException.class, () -> temporary.get(3));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> owned.get(3));
        assertTrue(e.getMessage().contains("released when its MemoryScope closed"), e.getMessage());
        MemoryScope closed = MemoryScope.open();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.own(Tensor.ones(N)));
    }

    @Test
    void inPlaceArithmeticOnADenseTensorTakesNoSecondBuffer() {
        var pool = Backends.current().buffers();
        Tensor x = Tensor.ones(N), y = Tensor.ones(N).mul(2);
        long takes = pool.stats().hits() + pool.stats().misses();
        x.mul_(3).add_(y);
        assertEquals(takes, pool.stats().hits() + pool.stats().misses(), "buffers taken from the pool");
        assertEquals(5, x.get(N - 1));
        x.narrow(0, 1, N - 1).add_(x.narrow(0, 0, N - 1));  // a view of itself: through a temporary, still right
        assertEquals(10, x.get(1));
    }

    @Test
    void aScopeReleasesOneOfItsTensorsEarlyOnlyWhenNothingElseNeedsIt() {
        var pool = Backends.current().buffers();
        Tensor w = Tensor.randn(new Generator(1), DType.F32, 8, 8).requiresGrad(true);
        try (MemoryScope outer = MemoryScope.open()) {
            Tensor replaced = Tensor.ones(N).mul(4);  // a KV cache's buffer that a larger one replaced
            Tensor view = replaced.narrow(0, 1, 3);
            long inUse = pool.stats().inUseBytes();
            outer.release(replaced);
            assertTrue(pool.stats().inUseBytes() < inUse, "the buffer went back to the pool at once");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> view.get(0));
            assertTrue(e.getMessage().contains("released early by its MemoryScope"), e.getMessage());

            Tensor saved = Tensor.ones(8, 8).mul(2);
            Tensor loss = saved.matmul(w).sum();  // the product saves `saved` for w's gradient
            e = assertThrows(IllegalStateException.class, () -> outer.release(saved));
            assertTrue(e.getMessage().contains("a pending backward still reads"), e.getMessage());
            loss.backward();
            try (MemoryScope inner = MemoryScope.open()) {
                Tensor outerTensor = Tensor.ones(N);
                assertThrows(IllegalStateException.class, () -> outer.release(outerTensor), "not the outer's");
            }
        }
    }

    @Test
    void backwardInsideAScopeReleasesSavedActivationsButNotParametersOrTheirGradients() {
        Tensor w = Tensor.randn(new Generator(1), DType.F32, 64, 64).requiresGrad(true);
        Tensor x = Tensor.randn(new Generator(2), DType.F32, 32, 64);
        Tensor hidden;
        try (MemoryScope scope = MemoryScope.open()) {
            hidden = x.matmul(w).tanh();           // (32, 64), saved by the next matmul
            Tensor loss = hidden.matmul(w).sum();
            loss.backward();
            assertTrue(hidden.storage().isReleased(), "an activation saved for backward is released after it");
            IllegalStateException e = assertThrows(IllegalStateException.class, hidden::toFloatArray);
            assertTrue(e.getMessage().contains("released after the backward of tanh"), e.getMessage());
            assertFalse(w.storage().isReleased());
        }
        assertFalse(w.grad().storage().isReleased(), "the parameter's gradient outlives the step's scope");
        assertFalse(x.storage().isReleased(), "a tensor made outside the scope is not the scope's");
    }

    @Test
    void aNestedScopeFreesItsTemporariesButHandsWhatBackwardReadsToTheEnclosingScope() {
        Tensor w = Tensor.randn(new Generator(3), DType.F32, 64, 64).requiresGrad(true);
        Tensor x = Tensor.randn(new Generator(4), DType.F32, 32, 64);
        try (MemoryScope step = MemoryScope.open()) {
            Tensor temporary, saved, out;
            try (MemoryScope block = MemoryScope.open()) {
                temporary = x.mul(2);                    // read by the matmul's forward only (w's gradient reads it)
                saved = temporary.matmul(w);             // (32, 64)
                Tensor scaled = saved.tanh();            // tanh saves its output
                out = block.keep(scaled.mul(3));         // a product by a constant saves nothing
                assertFalse(saved.storage().isReleased());
            }
            assertFalse(temporary.storage().isReleased(), "the matmul saved its input for w's gradient");
            assertTrue(saved.storage().isReleased(), "an intermediate nothing saved goes back to the pool");
            out.sum().backward();
            assertTrue(temporary.storage().isReleased(), "after backward, the handed-over activation is released");
            assertEquals(64 * 64, w.grad().numel());
        }
    }

    @Test
    void aProductSavesAnOperandOnlyForTheOtherOperandsGradient() {
        Tensor w = Tensor.ones(N).requiresGrad(true);
        try (MemoryScope step = MemoryScope.open()) {
            Tensor shifted, constant, product;
            try (MemoryScope block = MemoryScope.open()) {
                shifted = w.add(1);                      // needs a gradient; add saves nothing
                constant = Tensor.ones(N).mul(5);        // needs none
                product = block.keep(shifted.mul(constant));
            }
            assertFalse(constant.storage().isReleased(), "shifted's gradient reads the constant");
            assertTrue(shifted.storage().isReleased(), "no gradient of the constant is wanted, so shifted is not saved");
            product.sum().backward();
            assertEquals(5, w.grad().get(0));
        }
    }

    @Test
    void aTensorOnALongerPooledBufferSeesOnlyItsOwnElements() {
        int n = 9000;  // pooled (36 KB), so on a buffer of a size class: 9216 floats
        try (MemoryScope scope = MemoryScope.open()) {
            Tensor marker = Tensor.full(1e6, DType.F32, 9216);
            float[] buffer = marker.storage().floats();
            marker.storage().release("by the test");
            Tensor t = Tensor.arange(0, n, 1, DType.F32);
            assertSame(buffer, t.storage().floats(), "the marked buffer, 216 elements longer than the tensor");
            assertEquals(n, t.storage().size());
            assertEquals(n, t.toFloatArray().length);
            assertEquals(n - 1, t.max().item());
            float[] transposed = t.reshape(90, 100).t().contiguous().toFloatArray();
            assertEquals(n, transposed.length);
            assertEquals(100, transposed[1]);
            assertEquals(n - 1, transposed[n - 1]);
        }
    }

    @Test
    void aSecondBackwardThroughAFreedGraphSaysSo() {
        Tensor w = Tensor.ones(4).requiresGrad(true);
        Tensor loss = w.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
    }

    @Test
    void zeroGradReturnsTheGradientBufferToThePool() {
        Tensor w = Tensor.ones(N).requiresGrad(true);
        w.mul(2).sum().backward();
        Tensor g = w.grad();
        w.zeroGrad();
        assertTrue(g.storage().isReleased());
        w.mul(2).sum().backward();
        assertEquals(2, w.grad().get(0));
    }

    @Test
    void scopesCloseInnerFirst() {
        MemoryScope outer = MemoryScope.open();
        MemoryScope inner = MemoryScope.open();
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }

    @Test
    void anAllocationTheHeapCannotHoldIsOneLineNamingTheTensorTheLimitAndTheFix() {
        BufferPool pool = new BufferPool();
        TensorOutOfMemoryError e = assertThrows(TensorOutOfMemoryError.class,
                () -> pool.take(DType.F64, Integer.MAX_VALUE - 8, true));
        String m = e.getMessage();
        assertTrue(m.startsWith("out of memory allocating a F64 tensor of 2,147,483,639 elements (16.0 GiB)"), m);
        assertTrue(m.contains("heap limit") && m.contains("--per-device-train-batch-size") && m.contains("-Xmx"), m);
        assertFalse(m.contains("\n"));
        assertSame(TensorOutOfMemoryError.class, e.getClass());
    }
}
