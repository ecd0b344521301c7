package dev.jtune.core.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float gather and scatter-add along the middle axis of a contiguous {@code [outer, dim, inner]} array (embedding
 * lookup and its backward), vectorized along {@code inner}.
 */
public final class SimdIndex {

    private static final VectorSpecies<Float> F = Simd.F;
    private static final int L = F.length();

    private SimdIndex() {}

    /** {@code out[o, j, :] = a[o, index[j], :]} for the flat rows {@code o * index.length + j} in {@code [from, to)}. */
    public static void select(float[] out, float[] a, int[] index, int dim, int inner, int from, int to) {
        int len = index.length;
        for (int row = from; row < to; row++) {
            int o = row / len, j = row % len;
            System.arraycopy(a, (o * dim + index[j]) * inner, out, row * inner, inner);
        }
    }

    /**
     * {@code out[o, index[j], i] += src[o, j, i]} for one {@code o} and the columns {@code from <= i < to}, in
     * increasing j: each output element receives the same float additions in the same order however columns are split.
     */
    public static void add(float[] out, float[] src, int[] index, int o, int dim, int inner, int from, int to) {
        int len = index.length;
        int bound = from + SimdMath.loopBound(to - from);
        for (int j = 0; j < len; j++) {
            int dst = (o * dim + index[j]) * inner, s = (o * len + j) * inner;
            int i = from;
            for (; i < bound; i += L) {
                FloatVector.fromArray(F, out, dst + i).add(FloatVector.fromArray(F, src, s + i)).intoArray(out, dst + i);
            }
            for (; i < to; i++) out[dst + i] += src[s + i];
        }
    }
}
