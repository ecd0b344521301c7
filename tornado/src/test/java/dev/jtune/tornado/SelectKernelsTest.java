package dev.jtune.tornado;

import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;

/** where, triu / tril and a max's scatter copy elements, so they match the reference exactly. */
class SelectKernelsTest {

    @Test
    void whereTakesAWhereTheConditionIsNonzero() {
        int n = 257;
        float[] condition = TestDevice.values(1, n, 1), a = TestDevice.values(2, n, 1), b = TestDevice.values(3, n, 1);
        condition[0] = Float.NaN;
        condition[1] = -0f;
        float[] want = new float[n];
        REFERENCE.where(want, condition, a, b, n);
        int atC = TestDevice.put(condition), atA = TestDevice.put(a), atB = TestDevice.put(b), out = ARENA.allocate(n);
        OPS.where(out, atC, atA, atB, n);
        TestDevice.exact("where", want, TestDevice.get(out, n));
        for (int at : new int[] {atC, atA, atB, out}) ARENA.free(at);
    }

    @Test
    void triangleKeepsTheUpperOrLowerPartAboutAnyDiagonal() {
        int matrices = 3, rows = 7, cols = 5, n = matrices * rows * cols;
        float[] a = TestDevice.values(4, n, 1);
        int at = TestDevice.put(a), out = ARENA.allocate(n);
        for (int diagonal : new int[] {-8, -1, 0, 2, 6}) {
            for (boolean upper : new boolean[] {true, false}) {
                float[] want = new float[n];
                REFERENCE.triangle(want, a, matrices, rows, cols, diagonal, upper);
                OPS.triangle(out, at, matrices, rows, cols, diagonal, upper);
                TestDevice.exact((upper ? "triu " : "tril ") + diagonal, want, TestDevice.get(out, n));
            }
        }
        ARENA.free(at);
        ARENA.free(out);
    }

    @Test
    void scatterWritesEachSourceAtItsIndexAndLeavesTheRest() {
        int outer = 3, dim = 7, inner = 5;
        float[] src = TestDevice.values(5, outer * inner, 1), initial = TestDevice.values(6, outer * dim * inner, 1);
        long[] index = new long[outer * inner];
        for (int p = 0; p < index.length; p++) index[p] = (p * 5L) % dim;
        float[] want = initial.clone();
        REFERENCE.scatter(want, src, index, outer, dim, inner);
        int atOut = TestDevice.put(initial), atSrc = TestDevice.put(src);
        OPS.scatter(atOut, atSrc, index, outer, dim, inner);
        TestDevice.exact("scatter", want, TestDevice.get(atOut, want.length));
        ARENA.free(atOut);
        ARENA.free(atSrc);
    }
}
