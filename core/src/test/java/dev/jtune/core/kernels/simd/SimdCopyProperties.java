package dev.jtune.core.kernels.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtune.core.backend.ReferenceBackend;
import dev.jtune.core.kernels.Strided;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link SimdCopy} copies every strided view exactly like the reference's naive odometer copy, whichever way its units
 * are split (as threads split them): permuted views (transposes, the tiled path, with row and column counts around the
 * vector length and the tile sizes), every-other-element steps, broadcast dimensions and offsets, into dense, permuted
 * or every-other-element destinations, leaving the destination's other elements as they were.
 */
class SimdCopyProperties {

    private static final int L = Simd.F.length();
    /** Sizes around the vector length and the 16 x 64 tiles, and small ones. */
    private static final int[] SIZES = {1, 2, 3, L - 1, L, L + 1, 2 * L + 3, 15, 17, 63, 65, 70};

    @Property(tries = 200)
    void copiesEveryStridedViewLikeTheNaiveCopyOnAnySplit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int rank) {
        Random rnd = new Random(seed);
        int[] shape = new int[rank];
        for (int d = 0; d < rank; d++) shape[d] = SIZES[rnd.nextInt(SIZES.length)];
        if (Strided.numel(shape) > 40_000) shape[0] = 1;
        int step = step(rnd), off = rnd.nextInt(3);
        int[] strides = layout(rnd, shape, step, true);
        if (rnd.nextInt(5) == 0) strides[rnd.nextInt(rank)] = 0; // a broadcast (expanded) dimension
        float[] a = new float[off + step * Strided.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = i + 0.5f;
        int outStep = step(rnd), outOff = rnd.nextInt(3);
        int[] outStrides = layout(rnd, shape, outStep, rnd.nextBoolean());

        String what = "shape " + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + off
                + " into strides " + Arrays.toString(outStrides) + " offset " + outOff;
        float[] want = new float[outOff + outStep * Strided.numel(shape)], got = new float[want.length];
        Arrays.fill(want, -1);
        Arrays.fill(got, -1);
        new ReferenceBackend().copy(want, outOff, outStrides, a, off, strides, shape);
        SimdCopy.Plan plan = SimdCopy.plan(outOff, outStrides, off, strides, shape);
        int split = plan.units() == 0 ? 0 : rnd.nextInt(plan.units() + 1);
        SimdCopy.run(plan, got, a, 0, split);
        SimdCopy.run(plan, got, a, split, plan.units());
        assertArrayEquals(want, got, what);
    }

    /** 2 (every other element) one time in four, else 1. */
    private static int step(Random rnd) {
        return rnd.nextInt(4) == 0 ? 2 : 1;
    }

    /**
     * The strides of a dense layout of {@code shape} (times {@code step}) whose dimensions lie in memory in a random
     * order when {@code permuted} (a transpose), else in row-major order.
     */
    private static int[] layout(Random rnd, int[] shape, int step, boolean permuted) {
        List<Integer> order = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) order.add(d);
        if (permuted) Collections.shuffle(order, rnd);
        int[] strides = new int[shape.length];
        for (int j = shape.length - 1, s = step; j >= 0; j--) {
            strides[order.get(j)] = s;
            s *= shape[order.get(j)];
        }
        return strides;
    }
}
