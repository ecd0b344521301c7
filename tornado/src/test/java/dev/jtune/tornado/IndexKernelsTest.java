package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;

/**
 * Gather and scatter-add along the middle axis against the reference, with repeated and out-of-order indices.
 *
 * <p>Tolerances: gathering copies, so it is exact. Scatter-add adds in float, one term at a time in increasing j, where
 * the reference adds in double and rounds once: an output that receives c terms is within {@code c u} times the sum of
 * the magnitudes of its initial value and its terms.
 */
class IndexKernelsTest {

    /** {outer, dim, inner} and the indices. */
    private static final Object[][] CASES = {
        {new int[] {1, 1, 1}, new int[] {0}},
        {new int[] {1, 7, 33}, new int[] {6, 0, 6, 3, 6, 6, 1}},
        {new int[] {3, 5, 1}, new int[] {4, 4, 4, 4, 4, 4, 4, 4, 0, 2, 4}},
        {new int[] {2, 50, 257}, new int[] {49, 7, 7, 0, 13}},
    };

    @Test
    void indexSelectIsExact() {
        for (Object[] c : CASES) {
            int[] s = (int[]) c[0], index = (int[]) c[1];
            int outer = s[0], dim = s[1], inner = s[2];
            float[] a = TestDevice.values(dim, outer * dim * inner, 1), want = new float[outer * index.length * inner];
            REFERENCE.indexSelect(want, a, index, outer, dim, inner);
            int at = TestDevice.put(a), out = ARENA.allocate(want.length);
            OPS.indexSelect(out, at, index, outer, dim, inner);
            TestDevice.exact("index_select " + outer + "x" + dim + "x" + inner, want, TestDevice.get(out, want.length));
            ARENA.free(at);
            ARENA.free(out);
        }
    }

    @Test
    void indexAddAccumulatesRepeatedIndicesWithinTheSequentialSumBound() {
        for (Object[] c : CASES) {
            int[] s = (int[]) c[0], index = (int[]) c[1];
            int outer = s[0], dim = s[1], inner = s[2];
            float[] src = TestDevice.values(dim + 1, outer * index.length * inner, 1);
            float[] initial = TestDevice.values(dim + 2, outer * dim * inner, 1);
            float[] want = initial.clone(), magnitude = TestDevice.abs(initial), count = new float[initial.length];
            REFERENCE.indexAdd(want, src, index, outer, dim, inner);
            REFERENCE.indexAdd(magnitude, TestDevice.abs(src), index, outer, dim, inner);
            float[] ones = new float[src.length];
            java.util.Arrays.fill(ones, 1);
            REFERENCE.indexAdd(count, ones, index, outer, dim, inner);
            double[] tol = new double[want.length];
            for (int e = 0; e < tol.length; e++) tol[e] = count[e] * U * magnitude[e];
            int atOut = TestDevice.put(initial), atSrc = TestDevice.put(src);
            OPS.indexAdd(atOut, atSrc, index, outer, dim, inner);
            String what = "index_add " + outer + "x" + dim + "x" + inner;
            TestDevice.within(what, want, TestDevice.get(atOut, want.length), tol);
            ARENA.free(atOut);
            ARENA.free(atSrc);
        }
    }
}
