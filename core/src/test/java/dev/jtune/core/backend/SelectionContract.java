package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.L;
import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The selection part of the backend contract: where, triu/tril and the scatter of max's backward move values without
 * arithmetic, so every backend gives {@link ReferenceBackend}'s results to the bit, on sizes around the vector length.
 */
public interface SelectionContract extends ContractTarget {

    @Test
    default void whereSelectsExactlyWithNaNAndNegativeZeroConditions() {
        Random rnd = new Random(11);
        for (int n : SIZES) {
            // Small integers make zero conditions; the special values put -0.0 (false) and NaN (true) in front.
            float[] condition = toFloat(values(rnd, n, 0.5, true));
            float[] a = toFloat(values(rnd, n, 2, true)), b = toFloat(values(rnd, n, 2, false));
            float[] want = new float[n], got = new float[n];
            REFERENCE.where(want, condition, a, b, n);
            backend().where(got, condition, a, b, n);
            Compare.exact(backend().name() + " where n=" + n, want, got);
        }
    }

    @Test
    default void triangleKeepsExactlyTheUpperOrLowerTriangleOfEveryMatrix() {
        Random rnd = new Random(12);
        for (int matrices : new int[] {0, 1, 3}) {
            for (int rows : new int[] {0, 1, 2, L + 1}) {
                for (int cols : SIZES) {
                    for (int diagonal : new int[] {-2, 0, 1, L + 3}) {
                        for (boolean upper : new boolean[] {false, true}) {
                            int n = matrices * rows * cols;
                            float[] a = toFloat(values(rnd, n, 2, true)), want = new float[n], got = new float[n];
                            REFERENCE.triangle(want, a, matrices, rows, cols, diagonal, upper);
                            backend().triangle(got, a, matrices, rows, cols, diagonal, upper);
                            Compare.exact(backend().name() + (upper ? " triu " : " tril ") + diagonal + " ["
                                    + matrices + "," + rows + "," + cols + "]", want, got);
                        }
                    }
                }
            }
        }
    }

    @Test
    default void scatterPlacesEachValueAtItsIndexAndLeavesTheRestAlone() {
        Random rnd = new Random(13);
        for (int n : SIZES) {
            for (int[] s : new int[][] {{1, Math.max(1, n), 1}, {3, n + 1, 1}, {2, 5, n}, {n, 1, 3}}) {
                int outer = s[0], dim = s[1], inner = s[2];
                long[] index = rnd.longs((long) outer * inner, 0, dim).toArray();
                float[] src = toFloat(values(rnd, outer * inner, 2, true));
                float[] base = toFloat(values(rnd, outer * dim * inner, 2, false));
                float[] want = base.clone(), got = base.clone();
                REFERENCE.scatter(want, src, index, outer, dim, inner);
                backend().scatter(got, src, index, outer, dim, inner);
                Compare.exact(backend().name() + " scatter [" + outer + "," + dim + "," + inner + "]", want, got);
            }
        }
    }
}
