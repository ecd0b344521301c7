package dev.jtune.tornado;

import dev.jtune.core.backend.AdamWStep;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static dev.jtune.tornado.TestDevice.ARENA;
import static dev.jtune.tornado.TestDevice.OPS;
import static dev.jtune.tornado.TestDevice.REFERENCE;
import static dev.jtune.tornado.TestDevice.U;

/**
 * The elementwise kernels against the reference backend.
 *
 * <p>Tolerances: unary ops are evaluated in double on the device and rounded once, as the reference does; OpenCL's
 * double built-ins are within a few double ulp, so the float result is the reference's or, at a rounding boundary, its
 * neighbour: 1 ulp. GELU and its derivative use a polynomial normal tail within 1.1e-8 relative of erfc (0.18 float
 * ulp), and the derivative {@code Phi + x phi} passes through zero, where that is an absolute error: 1 ulp + 2^-26.
 * Binary ops are the reference's arithmetic exactly (double, rounded once) except POW (OpenCL's pow is within 16 double
 * ulp): exact, POW 1 ulp. Copies are exact. AdamW runs in float like the reference's, but the device contracts {@code a
 * * b + c} into an FMA and OpenCL's float division may be 2.5 ulp: each moment within 1 ulp plus u times its two terms,
 * the parameter within 1 ulp plus 4u times its terms.
 */
class ElementwiseKernelsTest {

    /** Zeros, ones, large, huge, tiny and subnormal values, infinities and NaN, then seeded values. */
    private static float[] inputs(int n) {
        float[] special = {0f, -0f, 1, -1, 0.5f, -0.75f, 20, -20, 100, -100, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, Float.NaN, 1e30f, -1e30f, 1e-30f, Float.MIN_VALUE, -Float.MIN_VALUE,
                Float.MIN_NORMAL, 14.9f, -14.9f, 15.5f, -15.5f, 40, -40};
        float[] x = TestDevice.values(7, n, 3);
        System.arraycopy(special, 0, x, 0, Math.min(n, special.length));
        return x;
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesTheReferenceWithinOneUlp(UnaryOp op) {
        for (int n : new int[] {1, 7, 257, 1009}) {
            float[] a = inputs(n), want = new float[n];
            REFERENCE.unary(op, want, a, 0, n);
            int at = TestDevice.put(a), out = ARENA.allocate(n);
            OPS.unary(op, out, at, n);
            boolean gelu = op == UnaryOp.GELU || op == UnaryOp.GELU_GRAD;
            TestDevice.withinUlps(op + " n=" + n, want, TestDevice.get(out, n), 1, gelu ? 0x1p-26 : 0);
            OPS.unary(op, at, at, n); // in place
            TestDevice.withinUlps(op + " in place n=" + n, want, TestDevice.get(at, n), 1, gelu ? 0x1p-26 : 0);
            ARENA.free(at);
            ARENA.free(out);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryWithBroadcastAndTransposedOperandsMatchesTheReference(BinaryOp op) {
        // Rank 1; rank 3 with a, a [33, 7, 3] array, read transposed and b [7] broadcast over the first and last axes;
        // rank 8 with broadcasts in a and b.
        int[][][] cases = {
            {{257}, {1}, {1}},
            {{3, 7, 33}, {1, 3, 21}, {0, 1, 0}},
            {{2, 1, 3, 1, 2, 1, 1, 3}, {18, 0, 6, 0, 3, 0, 0, 1}, {0, 0, 1, 0, 0, 0, 0, 0}}};
        for (int[][] c : cases) {
            int[] shape = c[0], aStrides = c[1], bStrides = c[2];
            int n = 1;
            for (int size : shape) n *= size;
            float[] a = inputs(n), b = TestDevice.values(11, 257, 2);
            b[0] = Float.NaN;
            b[1] = 0f;
            b[2] = Float.POSITIVE_INFINITY;
            float[] want = new float[n];
            REFERENCE.binary(op, want, a, 0, aStrides, b, 0, bStrides, shape);
            int atA = TestDevice.put(a), atB = TestDevice.put(b), out = ARENA.allocate(n);
            OPS.binary(op, out, atA, aStrides, atB, bStrides, shape);
            String what = op + " rank " + shape.length;
            if (op == BinaryOp.POW) TestDevice.withinUlps(what, want, TestDevice.get(out, n), 1, 0);
            else TestDevice.exact(what, want, TestDevice.get(out, n));
            ARENA.free(atA);
            ARENA.free(atB);
            ARENA.free(out);
        }
    }

    @Test
    void powFollowsJavaWhereOpenClDiffers() {
        float[] a = {1, -1, 1, -1, 1, 2, Float.NaN, 0, -8, 0};
        float inf = Float.POSITIVE_INFINITY;
        float[] b = {inf, -inf, Float.NaN, Float.NaN, 0, Float.NaN, 0, 0, 0.5f, -1};
        int[] shape = {a.length}, dense = {1};
        float[] want = new float[a.length];
        REFERENCE.binary(BinaryOp.POW, want, a, 0, dense, b, 0, dense, shape);
        int atA = TestDevice.put(a), atB = TestDevice.put(b), out = ARENA.allocate(a.length);
        OPS.binary(BinaryOp.POW, out, atA, dense, atB, dense, shape);
        TestDevice.exact("pow", want, TestDevice.get(out, a.length));
        ARENA.free(atA);
        ARENA.free(atB);
        ARENA.free(out);
    }

    @Test
    void copyOfAStridedViewIntoATransposedDestinationWithOffsetsIsExact() {
        float[] a = TestDevice.values(3, 2000, 1), before = TestDevice.values(4, 130, 1);
        int[] shape = {5, 1, 7, 3}, strides = {1, 0, 15, 5}, outStrides = {1, 0, 15, 5};  // out: [3, 7, 5] permuted
        float[] want = before.clone();
        REFERENCE.copy(want, 20, outStrides, a, 11, strides, shape);
        int at = TestDevice.put(a), out = TestDevice.put(before);
        OPS.copy(out + 20, outStrides, at + 11, strides, shape);
        TestDevice.exact("copy", want, TestDevice.get(out, want.length));
        ARENA.free(at);
        ARENA.free(out);
    }

    @Test
    void fillSetsARangeAndLeavesTheRest() {
        float[] before = TestDevice.values(5, 1009, 1), want = before.clone();
        java.util.Arrays.fill(want, 3, 1000, -0f);
        int out = TestDevice.put(before);
        OPS.fill(out + 3, 997, -0f);
        TestDevice.exact("fill", want, TestDevice.get(out, want.length));
        ARENA.free(out);
    }

    @Test
    void adamwMatchesTheReferenceStep() {
        int n = 1009;
        float[] p = TestDevice.values(1, n, 1), g = TestDevice.values(2, n, 0.1), m = TestDevice.values(3, n, 0.01);
        float[] v = TestDevice.values(4, n, 0.001);
        for (int i = 0; i < n; i++) v[i] = Math.abs(v[i]);
        // lr 1e-3, weight decay 0.01, betas (0.9, 0.999), step 3, gradients clipped by half (exact, so g / 2 below)
        AdamWStep step = new AdamWStep(true, 1 - 1e-3f * 0.01f, 0.1f, 0.999f, 0.001f,
                (float) (-1e-3 / (1 - Math.pow(0.9, 3))), (float) Math.sqrt(1 - Math.pow(0.999, 3)), 1e-8f, 0.5f);
        int atP = TestDevice.put(p), atG = TestDevice.put(g), atM = TestDevice.put(m), atV = TestDevice.put(v);
        float[] wantP = p.clone(), wantM = m.clone(), wantV = v.clone();
        REFERENCE.adamw(wantP, g, wantM, wantV, n, step);
        OPS.adamw(atP, atG, atM, atV, n, step);
        double[] tolP = new double[n], tolM = new double[n], tolV = new double[n];
        for (int i = 0; i < n; i++) {
            double decayed = p[i] * step.decay();
            tolP[i] = Math.ulp(wantP[i]) + 4 * U * (Math.abs(decayed) + Math.abs(wantP[i] - decayed));
            float gi = g[i] / 2;
            tolM[i] = Math.ulp(wantM[i]) + U * (Math.abs(m[i]) + Math.abs(step.w1() * (gi - m[i])));
            tolV[i] = Math.ulp(wantV[i]) + U * (Math.abs(v[i] * step.beta2()) + Math.abs(step.w2() * gi * gi));
        }
        TestDevice.within("p", wantP, TestDevice.get(atP, n), tolP);
        TestDevice.within("m", wantM, TestDevice.get(atM, n), tolM);
        TestDevice.within("v", wantV, TestDevice.get(atV, n), tolV);
        for (int at : new int[] {atP, atG, atM, atV}) ARENA.free(at);
    }
}
