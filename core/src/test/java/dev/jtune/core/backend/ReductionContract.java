package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.L;
import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.abs;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The reduction part of the backend contract: sum, max, argmax, the sum of squares and (log-)softmax forward and
 * backward, against
 * {@link ReferenceBackend}. Sums may add in another order, so they are held to the classical
 * bound for recursive summation, {@code |error| <= (terms + 2) u sum|x|} (Higham, Accuracy and Stability of Numerical
 * Algorithms, 4.2), with {@code terms} the longest chain of float additions a vectorized sum can make.
 */
public interface ReductionContract extends ContractTarget {

    /** {outer, r, inner} triples: reductions over the last dim (inner 1), a middle dim, and empty ones. */
    private static int[][] reduceShapes() {
        Stream.Builder<int[]> b = Stream.builder();
        for (int n : SIZES) {
            b.add(new int[] {3, n, 1});
            b.add(new int[] {2, n, 5});
            b.add(new int[] {1, 7, n});
            b.add(new int[] {2, 3, n});
        }
        b.add(new int[] {2, 0, 3});
        b.add(new int[] {2, 50257, 1});
        return b.build().toArray(int[][]::new);
    }

    @Test
    default void sumIsWithinTheSummationBoundAndMaxIsExact() {
        Random rnd = new Random(4);
        for (int[] s : reduceShapes()) {
            int outer = s[0], r = s[1], inner = s[2];
            double[] a = values(rnd, outer * r * inner, 3, false);
            for (ReduceOp op : ReduceOp.values()) {
                String what = backend().name() + " " + op + " [" + outer + "," + r + "," + inner + "]";
                float[] wantF = new float[outer * inner], gotF = new float[outer * inner];
                REFERENCE.reduce(op, wantF, toFloat(a), outer, r, inner);
                backend().reduce(op, gotF, toFloat(a), outer, r, inner);
                if (op == ReduceOp.MAX) {
                    assertExact(what, wantF, gotF);
                } else {
                    double[] magnitude = new double[outer * inner];
                    F64Kernels.reduce(ReduceOp.SUM, magnitude, abs(a), outer, r, inner);
                    assertWithin(what, wantF, gotF, scaled(magnitude, (r / L + L + 2) * U));
                }
            }
        }
    }

    /**
     * Sizes around the 16384-element block and several blocks, on arrays longer than {@code n} whose tail (a NaN) must
     * not be read; values of order 1 and of order 1e30 (whose squares only a double holds), and with an infinity or a
     * NaN inside. The squares are exact in double and a double sum of {@code m} terms in any order is within
     * {@code (m - 1) u_d sum x^2} of the exact sum (u_d = 2^-53); a block's sum chains at most 16384 additions and the
     * block sums {@code blocks} more, on either side of the comparison, so {@code |got - want| <= 2 (16384 + blocks)
     * u_d sum x^2}: about 4e-12 relative, for any backend. The CPU backends match the reference bit for bit (their
     * test says so).
     */
    @Test
    default void sumOfSquaresIsWithinTheDoubleSummationBoundAndPropagatesNaNAndInfinity() {
        Random rnd = new Random(11);
        for (int n : new int[] {0, 1, L + 1, 16383, 16384, 16385, 50000}) {
            for (double scale : new double[] {3, 1e30}) {
                double[] x = values(rnd, n + 3, scale, false);
                x[n] = Double.NaN;
                float[] a = toFloat(x);
                double want = REFERENCE.sumOfSquares(a, n), got = backend().sumOfSquares(a.clone(), n), magnitude = 0;
                for (int i = 0; i < n; i++) magnitude += x[i] * x[i];
                double tol = 2 * (16384 + n / 16384.0 + 1) * 0x1p-53 * magnitude;
                String what = backend().name() + " sumOfSquares n=" + n + " scale " + scale + ": want " + want
                        + ", got " + got;
                if (!(Math.abs(got - want) <= tol)) throw new AssertionError(what + ", tolerance " + tol);
                if (n > 2) {
                    a[n / 2] = Float.NEGATIVE_INFINITY;
                    assertEquals(Double.POSITIVE_INFINITY, backend().sumOfSquares(a.clone(), n), what + " with -inf");
                    a[n - 1] = Float.NaN;
                    assertEquals(Double.NaN, backend().sumOfSquares(a, n), what + " with -inf and NaN");
                }
            }
        }
    }

    /**
     * All gradients' sums of squares at once give each one's {@link Backend#sumOfSquares} bit for bit: sizes around the
     * block, an empty buffer, buffers longer than their count (pooled), a NaN past one's count.
     */
    @Test
    default void sumsOfSquaresGiveEachBuffersSumOfSquares() {
        Random rnd = new Random(13);
        int[] ns = {1, 0, 16384, 50000, L + 1, 16385, 3, 16383};
        List<float[]> buffers = new ArrayList<>();
        for (int n : ns) buffers.add(toFloat(values(rnd, n + 2, 7, false)));
        buffers.get(4)[ns[4]] = Float.NaN;  // past the count: not read
        double[] got = backend().sumsOfSquares(buffers, ns);
        assertEquals(ns.length, got.length);
        for (int t = 0; t < ns.length; t++) {
            double want = backend().sumOfSquares(buffers.get(t).clone(), ns[t]);
            assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got[t]),
                    backend().name() + " sumsOfSquares buffer " + t + " of " + ns[t] + ": want " + want + ", got "
                            + got[t]);
        }
        assertArrayEquals(new double[0], backend().sumsOfSquares(List.of(), new int[0]));
    }

    @Test
    default void argmaxPicksTheFirstMaximumOrFirstNaN() {
        Random rnd = new Random(5);
        for (int n : SIZES) {
            int outer = 3, r = Math.max(1, n), inner = 2;
            double[] a = values(rnd, outer * r * inner, 1, false); // small integers make ties
            if (r > 2) a[r * inner + 2 * inner] = Double.NaN;      // a NaN in the second outer block
            long[] want = new long[outer * inner], got = new long[outer * inner + 3];  // a pooled out may be longer
            Arrays.fill(got, -7);
            REFERENCE.argmax(want, toFloat(a), outer, r, inner);
            backend().argmax(got, toFloat(a), outer, r, inner);
            assertArrayEquals(want, Arrays.copyOf(got, want.length), backend().name() + " argmax F32 r=" + r);
            assertArrayEquals(new long[] {-7, -7, -7}, Arrays.copyOfRange(got, want.length, got.length),
                    backend().name() + " argmax leaves out past outer * inner alone");
        }
    }

    /** {rows, cols} pairs, including a GPT-2 vocabulary row. */
    private static int[][] softmaxShapes() {
        Stream.Builder<int[]> b = Stream.builder();
        for (int n : SIZES) b.add(new int[] {4, n});
        b.add(new int[] {2, 50257});
        return b.build().toArray(int[][]::new);
    }

    /**
     * Rows of scaled logits with a causal-style masked tail (-inf) in row 1 and a fully masked row 2, the case where
     * PyTorch returns NaN.
     */
    private static double[] logits(Random rnd, int rows, int cols) {
        double[] a = values(rnd, rows * cols, 5, false);
        for (int j = cols / 2; j < cols && rows > 1; j++) a[cols + j] = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols && rows > 2; j++) a[2 * cols + j] = Double.NEGATIVE_INFINITY;
        return a;
    }

    @Test
    default void softmaxAndLogSoftmaxMatchTheReference() {
        Random rnd = new Random(6);
        for (int[] s : softmaxShapes()) {
            int rows = s[0], cols = s[1];
            double[] a = logits(rnd, rows, cols);
            for (boolean log : new boolean[] {false, true}) {
                String what = backend().name() + (log ? " log_softmax " : " softmax ") + "[" + rows + "," + cols + "]";
                double[] want = new double[rows * cols];
                F64Kernels.softmax(want, a, rows, cols, log);
                float[] wantF = new float[rows * cols], gotF = new float[rows * cols];
                REFERENCE.softmax(wantF, toFloat(a), rows, cols, log);
                backend().softmax(gotF, toFloat(a), rows, cols, log);
                // Relative to the output: the float x - max (u |x - max| after exp), exp and log (a few ulp), the row
                // sum (its summation bound) and the final scaling; absolute for subnormal probabilities.
                double[] tol = new double[rows * cols];
                double chain = (cols / L + L + 10) * U;
                for (int row = 0; row < rows; row++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < cols; j++) max = Math.max(max, a[row * cols + j]);
                    for (int j = 0; j < cols; j++) {
                        int k = row * cols + j;
                        double shift = Double.isFinite(a[k]) ? U * Math.abs(a[k] - max) : 0;
                        tol[k] = log ? chain + 2 * shift + 3 * U * Math.abs(want[k])
                                : (chain + shift) * Math.abs(want[k]) + 0x1p-126;
                    }
                }
                assertWithin(what, wantF, gotF, tol);
            }
        }
    }

    @Test
    default void softmaxBackwardMatchesTheReference() {
        Random rnd = new Random(7);
        for (int[] s : softmaxShapes()) {
            int rows = s[0], cols = s[1];
            for (boolean log : new boolean[] {false, true}) {
                String what = backend().name() + (log ? " log_softmax" : " softmax") + " backward [" + rows + "," + cols + "]";
                double[] y = new double[rows * cols];
                F64Kernels.softmax(y, values(rnd, rows * cols, 3, false), rows, cols, log);
                y = toDouble(toFloat(y)); // the float output the float backward will see
                double[] g = values(rnd, rows * cols, 1, false);
                double[] want = new double[rows * cols];
                F64Kernels.softmaxBackward(want, g, y, rows, cols, log);
                float[] wantF = new float[rows * cols], gotF = new float[rows * cols];
                REFERENCE.softmaxBackward(wantF, toFloat(g), toFloat(y), rows, cols, log);
                backend().softmaxBackward(gotF, toFloat(g), toFloat(y), rows, cols, log);
                // The row's sum s (of g*y, or of g) carries the summation bound; each output scales it by y or exp(y).
                double[] tol = new double[rows * cols];
                double chain = (cols / L + L + 8) * U;
                for (int row = 0; row < rows; row++) {
                    double mag = 0;
                    for (int j = 0; j < cols; j++) {
                        int k = row * cols + j;
                        mag += log ? Math.abs(g[k]) : Math.abs(g[k] * y[k]);
                    }
                    for (int j = 0; j < cols; j++) {
                        int k = row * cols + j;
                        double w = log ? Math.exp(y[k]) : Math.abs(y[k]);
                        tol[k] = chain * (Math.abs(g[k]) * (log ? 1 : w) + w * mag) + 4 * U * Math.abs(want[k]);
                    }
                }
                assertWithin(what, wantF, gotF, tol);
            }
        }
    }

    private static double[] scaled(double[] x, double c) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = c * x[i];
        return y;
    }

    private static double[] toDouble(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i];
        return y;
    }
}
