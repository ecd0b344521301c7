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
 * vector length and the tile sizes), every-other-element steps, broadcast dimensions and offsets.
 */
class SimdCopyProperties {

    private static final int L = Simd.F.length();
    /** Sizes around the vector length and the 16 x 64 tiles, and small ones. */
    private static final int[] SIZES = {1, 2, 3, L - 1, L, L + 1, 2 * L + 3, 15, 17, 63, 65, 70};

    @Property(tries = 200)
    void copiesEveryStridedViewLikeTheNaiveCopyOnAnySplit(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int rank) {
        Random rnd = new Random(seed);
        int[] base = new int[rank];
        for (int d = 0; d < rank; d++) base[d] = SIZES[rnd.nextInt(SIZES.length)];
        if (Strided.numel(base) > 40_000) base[0] = 1;
        int step = rnd.nextInt(4) == 0 ? 2 : 1; // every other element
        int[] baseStrides = new int[rank];
        for (int d = rank - 1, s = step; d >= 0; d--) {
            baseStrides[d] = s;
            s *= base[d];
        }
        List<Integer> order = new ArrayList<>();
        for (int d = 0; d < rank; d++) order.add(d);
        Collections.shuffle(order, rnd);
        int[] shape = new int[rank], strides = new int[rank];
        for (int d = 0; d < rank; d++) {
            shape[d] = base[order.get(d)];
            strides[d] = baseStrides[order.get(d)];
        }
        if (rnd.nextInt(5) == 0) strides[rnd.nextInt(rank)] = 0; // a broadcast (expanded) dimension
        int off = rnd.nextInt(3);
        float[] a = new float[off + step * Strided.numel(base)];
        for (int i = 0; i < a.length; i++) a[i] = i + 0.5f;

        String what = "shape " + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + off;
        float[] want = new float[Strided.numel(shape)], got = new float[want.length];
        new ReferenceBackend().copy(want, a, off, strides, shape);
        SimdCopy.Plan plan = SimdCopy.plan(off, strides, shape);
        int split = plan.units() == 0 ? 0 : rnd.nextInt(plan.units() + 1);
        SimdCopy.run(plan, got, a, 0, split);
        SimdCopy.run(plan, got, a, split, plan.units());
        assertArrayEquals(want, got, what);
    }
}
