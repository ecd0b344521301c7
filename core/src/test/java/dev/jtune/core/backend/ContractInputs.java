package dev.jtune.core.backend;

import dev.jtune.core.kernels.simd.Simd;

import java.util.Random;

/** Seeded inputs and the awkward sizes the backend contract is checked on. */
final class ContractInputs {

    /** The float vector length: sizes around it exercise vector bodies, scalar tails and both. */
    static final int L = Simd.F.length();
    /** 0, 1, L-1, L, L+1, 2L+3 and a large odd size. */
    static final int[] SIZES = {0, 1, L - 1, L, L + 1, 2 * L + 3, 1009};
    /** Values every elementwise op must handle the way the reference does: zeros, large, huge, tiny and subnormal. */
    static final double[] SPECIAL = {0.0, -0.0, 1, -1, 20, -20, 100, -100, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, Double.NaN, (float) 1e30, (float) -1e30, (float) 1e-30, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MIN_NORMAL};
    /** The unit roundoff of float, 2^-24. */
    static final double U = 0x1p-24;

    private ContractInputs() {}

    /**
     * {@code n} float-representable values: mostly {@code N(0, scale^2)}, every fourth a small integer (so EQ, ties
     * and exact cancellations happen), and, with {@code special}, the special values at the front.
     */
    static double[] values(Random rnd, int n, double scale, boolean special) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (i % 4 == 3 ? rnd.nextInt(7) - 3 : rnd.nextGaussian() * scale);
        }
        if (special) System.arraycopy(SPECIAL, 0, x, 0, Math.min(n, SPECIAL.length));
        return x;
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) f[i] = (float) x[i];
        return f;
    }

    static double[] abs(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
        return y;
    }
}
