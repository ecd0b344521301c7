package dev.jtune.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * {@link LinearAlgebra#matmulHalfWeight}: a frozen BF16/F16 weight multiplied in place gives the bits of converting it
 * to F32 first, on the CPU backend (panels converted as they are packed; the matrix-vector kernel for one row) and on
 * the reference backend (the composition), and takes no F32 copy of the weight from the pool.
 */
class MatmulHalfWeightTest {

    private static final Generator G = new Generator(3);

    @Test
    void givesTheBitsOfConvertingTheWeightFirst() {
        for (DType half : new DType[] {DType.BF16, DType.F16}) {
            for (int rows : new int[] {1, 37}) {
                Tensor x = Tensor.randn(G, DType.F32, 2, rows, 300);
                Tensor conv1d = Tensor.randn(G, DType.F32, 300, 70).to(half);  // [in, out]
                Tensor linear = Tensor.randn(G, DType.F32, 70, 300).to(half);  // [out, in], read as [in, out]
                // The F32 twin in the same layout: the matrix-vector kernel's order depends on it.
                assertSameBits(x, conv1d, x.matmul(conv1d.to(DType.F32)), half + " [in, out], " + rows + " rows");
                assertSameBits(x, linear.t(), x.matmul(linear.to(DType.F32).t()), half + " [out, in]^T, " + rows + " rows");
            }
        }
    }

    private static void assertSameBits(Tensor x, Tensor w, Tensor want, String what) {
        Tensor got = LinearAlgebra.matmulHalfWeight(x, w);
        assertArrayEquals(want.shape(), got.shape(), what);
        assertArrayEquals(want.toFloatArray(), got.toFloatArray(), what);
    }

    @Test
    void theReferenceBackendsCompositionGivesTheSameBitsAsItsProductOfTheConvertedWeight() {
        Backend<?> previous = Backends.use(new ReferenceBackend());
        try {
            Tensor x = Tensor.randn(G, DType.F32, 19, 45);
            Tensor w = Tensor.randn(G, DType.F32, 33, 45).to(DType.BF16);
            assertSameBits(x, w.t(), x.matmul(w.to(DType.F32).t()), "reference backend");
        } finally {
            Backends.use(previous);
        }
    }

    /** Tiles (64 rows) and the matrix-vector kernel (one row, a token being generated), either layout. */
    @Test
    void takesNoF32CopyOfTheWeight() {
        var pool = Backends.current().buffers();
        Tensor w = Tensor.randn(G, DType.F32, 256, 4096).to(DType.BF16);  // one output row: 16 KiB, pooled
        for (int rows : new int[] {1, 64}) {
            Tensor x = Tensor.randn(G, DType.F32, rows, 256);
            for (Tensor weight : new Tensor[] {w, w.t().contiguous().t()}) {
                long takes = pool.stats().hits() + pool.stats().misses();
                LinearAlgebra.matmulHalfWeight(x, weight);
                assertEquals(takes + 1, pool.stats().hits() + pool.stats().misses(), rows + " rows: the output only");
            }
        }
    }

    @Test
    void rejectsOtherDtypesAndShapes() {
        Tensor x = Tensor.randn(G, DType.F32, 4, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearAlgebra.matmulHalfWeight(x, Tensor.randn(G, DType.F32, 8, 3)));
        assertTrue(e.getMessage().contains("expects an F32 input and a BF16 or F16 weight, got F32 [4,8] and F32 [8,3]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LinearAlgebra.matmulHalfWeight(x, Tensor.randn(G, DType.F32, 7, 3).to(DType.BF16)));
        assertTrue(e.getMessage().contains("expects a [..., k] and w [k, n], got [4,8] and [7,3]"), e.getMessage());
        Tensor w = Tensor.randn(G, DType.F32, 8, 3).to(DType.BF16);
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> LinearAlgebra.matmulHalfWeight(x.requiresGrad(true), w));
        assertTrue(s.getMessage().contains("records no gradient, but its input [4,8] requires grad"), s.getMessage());
    }
}
