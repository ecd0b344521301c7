package dev.jtune.tornado;

import uk.ac.manchester.tornado.api.KernelContext;

/**
 * Tree reductions across the {@link Grid#GROUP} work-items of a work-group, in local memory with barriers (TornadoVM's
 * own {@code @Reduce} gives wrong sums on large inputs on pocl). Every work-item of the group must call them, the same
 * number of times; each returns the group's result to every work-item and leaves the local array free for reuse.
 *
 * <p>The tree adds item {@code t + half} into item {@code t} for halves 64, 32, ..., 1: a fixed order, so results do
 * not vary between runs, and a sum of n terms carries at most {@code log2(GROUP) + n / GROUP} roundings per term.
 */
final class GroupReduce {

    private GroupReduce() {}

    /** The sum of {@code value} over the group. */
    static float sum(KernelContext k, float[] partial, float value) {
        int t = k.localIdx;
        partial[t] = value;
        for (int half = Grid.GROUP / 2; half > 0; half /= 2) {
            k.localBarrier();
            if (t < half) partial[t] = partial[t] + partial[t + half];
        }
        return broadcast(k, partial);
    }

    /** The sum of {@code value} over the group, in double. */
    static double sum(KernelContext k, double[] partial, double value) {
        int t = k.localIdx;
        partial[t] = value;
        for (int half = Grid.GROUP / 2; half > 0; half /= 2) {
            k.localBarrier();
            if (t < half) partial[t] = partial[t] + partial[t + half];
        }
        k.localBarrier();
        double result = partial[0];
        k.localBarrier();
        return result;
    }

    /** The maximum of {@code value} over the group, as {@link Math#max}: NaN wins, -0.0 &lt; 0.0. */
    static float max(KernelContext k, float[] partial, float value) {
        int t = k.localIdx;
        partial[t] = value;
        for (int half = Grid.GROUP / 2; half > 0; half /= 2) {
            k.localBarrier();
            if (t < half) partial[t] = (float) DeviceMath.max(partial[t], partial[t + half]);
        }
        return broadcast(k, partial);
    }

    /** The minimum of {@code value} over the group. */
    static int min(KernelContext k, int[] partial, int value) {
        int t = k.localIdx;
        partial[t] = value;
        for (int half = Grid.GROUP / 2; half > 0; half /= 2) {
            k.localBarrier();
            if (t < half) partial[t] = Math.min(partial[t], partial[t + half]);
        }
        k.localBarrier();
        int result = partial[0];
        k.localBarrier();
        return result;
    }

    private static float broadcast(KernelContext k, float[] partial) {
        k.localBarrier();
        float result = partial[0];
        k.localBarrier();
        return result;
    }
}
