package dev.jtune.tornado;

import dev.jtune.core.backend.ReduceOp;
import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Reductions over {@code [outer, r, inner]} against the reference, on shapes that leave work-items idle (r &lt; 128),
 * give several elements to each (r = 1000) and reduce a strided (inner &gt; 1) axis.
 *
 * <p>Tolerances: MAX and argmax are exact (comparisons only). SUM adds in float in a fixed tree: each work-item adds
 * about r/128 terms in sequence, then 7 tree levels, so every term takes part in at most {@code r/128 + 7} roundings;
 * the error is at most {@code (r/128 + 8) u sum|x|} (plus the reference's final rounding, within that).
 */
class ReduceKernelsTest {

    private static final int[][] SHAPES = {{1, 1, 1}, {1, 7, 1}, {3, 33, 5}, {2, 257, 1}, {1, 1000, 3}, {5, 0, 2},
        {7, 128, 1}, {1, 129, 33}};

    @Test
    void sumIsWithinTheTreeSummationBound() {
        for (int[] s : SHAPES) {
            int outer = s[0], r = s[1], inner = s[2];
            float[] a = TestDevice.values(r, outer * r * inner, 1);
            float[] want = new float[outer * inner], absSum = new float[outer * inner], abs = a.clone();
            for (int i = 0; i < abs.length; i++) abs[i] = Math.abs(abs[i]);
            REFERENCE.reduce(ReduceOp.SUM, want, a, outer, r, inner);
            REFERENCE.reduce(ReduceOp.SUM, absSum, abs, outer, r, inner);
            double[] tol = new double[want.length];
            for (int i = 0; i < tol.length; i++) tol[i] = (r / 128.0 + 8) * U * absSum[i];
            TestDevice.within("sum " + outer + "x" + r + "x" + inner, want, run(ReduceOp.SUM, a, outer, r, inner), tol);
        }
    }

    @Test
    void maxIsExactPropagatesNaNAndIsMinusInfinityOverNothing() {
        for (int[] s : SHAPES) {
            int outer = s[0], r = s[1], inner = s[2];
            float[] a = TestDevice.values(r + 1, outer * r * inner, 5);
            if (a.length > 40) {
                a[37] = Float.NaN;
                a[5] = Float.POSITIVE_INFINITY;
                a[6] = -0f;
            }
            float[] want = new float[outer * inner];
            REFERENCE.reduce(ReduceOp.MAX, want, a, outer, r, inner);
            TestDevice.exact("max " + outer + "x" + r + "x" + inner, want, run(ReduceOp.MAX, a, outer, r, inner));
        }
    }

    @Test
    void maxOrdersSignedZerosLikeMathMax() {
        float[] a = {-0f, 0f, -0f, -0f, 0f, -0f};
        float[] want = new float[3];
        REFERENCE.reduce(ReduceOp.MAX, want, a, 3, 2, 1);
        TestDevice.exact("max of zeros", want, run(ReduceOp.MAX, a, 3, 2, 1));
    }

    @Test
    void argmaxIsTheFirstMaximumOrTheFirstNaN() {
        for (int[] s : SHAPES) {
            int outer = s[0], r = s[1], inner = s[2];
            if (r == 0) continue;
            float[] a = TestDevice.values(r + 2, outer * r * inner, 1);
            for (int i = 0; i < a.length; i += 3) a[i] = 2; // ties: the smallest j must win
            if (a.length > 300) {
                a[290] = Float.NaN;
                a[200] = Float.NaN;
            }
            long[] want = new long[outer * inner];
            REFERENCE.argmax(want, a, outer, r, inner);
            int at = TestDevice.put(a), out = ARENA.allocateInts(want.length);
            OPS.argmax(out, at, outer, r, inner);
            int[] got = new int[want.length];
            ARENA.downloadInts(out, got);
            long[] gotLong = java.util.Arrays.stream(got).asLongStream().toArray();
            assertArrayEquals(want, gotLong, "argmax " + outer + "x" + r + "x" + inner);
            ARENA.free(at);
            ARENA.freeInts(out);
        }
    }

    private static float[] run(ReduceOp op, float[] a, int outer, int r, int inner) {
        int at = TestDevice.put(a), out = ARENA.allocate(outer * inner);
        OPS.reduce(op, out, at, outer, r, inner);
        float[] got = TestDevice.get(out, outer * inner);
        ARENA.free(at);
        ARENA.free(out);
        return got;
    }
}
