package dev.jtune.core.kernels.simd;

import static dev.jtune.core.kernels.simd.MatmulOperands.assertSimdMatchesScalar;
import static dev.jtune.core.kernels.simd.MatmulOperands.simdProduct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtune.core.kernels.Parallel;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Properties of {@link SimdMatmul} on random sizes, layouts and batches. */
class SimdMatmulProperties {

    @Property(tries = 200)
    void simdMatchesScalarForAnySizesAndLayout(@ForAll @IntRange(max = 70) int m, @ForAll @IntRange(max = 70) int n,
                                               @ForAll @IntRange(max = 300) int k,
                                               @ForAll @IntRange(min = 1, max = 3) int batch,
                                               @ForAll boolean transposeA, @ForAll boolean transposeB,
                                               @ForAll long seed) {
        Random rnd = new Random(seed);
        MatmulOperands a = MatmulOperands.random(rnd, batch, m, k, transposeA);
        MatmulOperands b = MatmulOperands.random(rnd, batch, k, n, transposeB);
        assertSimdMatchesScalar(a, b, m, n, k, "simd vs scalar");
    }

    @Property(tries = 30)
    void resultDoesNotDependOnTheThreadCount(@ForAll @IntRange(min = 1, max = 300) int m,
                                             @ForAll @IntRange(min = 1, max = 300) int n,
                                             @ForAll @IntRange(min = 1, max = 600) int k,
                                             @ForAll @IntRange(min = 2, max = 5) int threads,
                                             @ForAll boolean transposeA, @ForAll boolean transposeB,
                                             @ForAll long seed) {
        Random rnd = new Random(seed);
        MatmulOperands a = MatmulOperands.random(rnd, 2, m, k, transposeA);
        MatmulOperands b = MatmulOperands.random(rnd, 2, k, n, transposeB);
        int saved = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] serial = simdProduct(a, b, m, n, k);
            Parallel.setThreads(threads);
            assertArrayEquals(serial, simdProduct(a, b, m, n, k), threads + " threads");
        } finally {
            Parallel.setThreads(saved);
        }
    }
}
