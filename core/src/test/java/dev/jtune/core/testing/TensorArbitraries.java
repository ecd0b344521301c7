package dev.jtune.core.testing;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators for shapes and tensors, published in core's test jar so library users can property-test their
 * own ops with {@link dev.jtune.core.autograd.GradCheck}. Shapes favour small and size-1 dims, where broadcasting
 * and edge cases live.
 */
public final class TensorArbitraries {

    private TensorArbitraries() {}

    /** Shapes of rank {@code [minRank, maxRank]} with dims in {@code [1, maxDim]}. */
    public static Arbitrary<int[]> shapes(int minRank, int maxRank, int maxDim) {
        return Arbitraries.integers().between(1, maxDim).array(int[].class).ofMinSize(minRank).ofMaxSize(maxRank);
    }

    /** A shape and a second shape that broadcasts with it (leading dims dropped, some dims set to 1). */
    public static Arbitrary<int[][]> broadcastPairs(int maxRank, int maxDim) {
        return Combinators.combine(shapes(0, maxRank, maxDim), Arbitraries.longs()).as((shape, seed) -> {
            Generator g = new Generator(seed);
            int drop = shape.length == 0 ? 0 : g.nextInt(shape.length + 1);
            int[] other = new int[shape.length - drop];
            for (int i = 0; i < other.length; i++) other[i] = g.nextInt(3) == 0 ? 1 : shape[i + drop];
            return g.nextInt(2) == 0 ? new int[][] {shape, other} : new int[][] {other, shape};
        });
    }

    /** Seeds for {@link #randn} and {@link #uniform}. */
    public static Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /** A standard-normal F64 leaf that requires grad. */
    public static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), DType.F64, shape).requiresGrad(true);
    }

    /** A uniform {@code [lo, hi)} F64 leaf that requires grad. */
    public static Tensor uniform(long seed, double lo, double hi, int... shape) {
        Generator g = new Generator(seed);
        double[] data = new double[dev.jtune.core.Shape.numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * g.nextDouble();
        return Tensor.of(data, shape).requiresGrad(true);
    }

    /** Values bounded away from zero (for abs, relu, division): magnitude in {@code [0.2, 2)} with a random sign. */
    public static Tensor awayFromZero(long seed, int... shape) {
        Generator g = new Generator(seed);
        double[] data = new double[dev.jtune.core.Shape.numel(shape)];
        for (int i = 0; i < data.length; i++) data[i] = (0.2 + 1.8 * g.nextDouble()) * (g.nextInt(2) == 0 ? -1 : 1);
        return Tensor.of(data, shape).requiresGrad(true);
    }
}
