package dev.jtune.core.backend;

import static dev.jtune.core.backend.ContractInputs.L;
import static dev.jtune.core.backend.ContractInputs.SIZES;
import static dev.jtune.core.backend.ContractInputs.U;
import static dev.jtune.core.backend.ContractInputs.toFloat;
import static dev.jtune.core.backend.ContractInputs.values;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layer norm and RMS norm part of the backend contract: {@link Backend#layerNorm} and {@link Backend#rmsNorm}
 * like {@link ReferenceBackend} (the composition, whose sums are exact to one rounding), with and without weight and
 * bias, on row and column counts around the vector length. The two sums of a row may add in another order, within
 * the recursive summation bound {@code S = (cols / L + L + 2) u} of their magnitude (as in {@link ReductionContract});
 * the bound follows that error, and one rounding of each step on either side, to the first order through the
 * centring, the reciprocal root and the affine steps, with a margin of 2.
 */
public interface NormContract extends ContractTarget {

    @Test
    default void layerNormAndRmsNormMatchTheReferenceWithinTheSummationBound() {
        Random rnd = new Random(6);
        for (int rows : new int[] {0, 1, 3, 17}) {
            for (int cols : SIZES) {
                for (boolean affine : new boolean[] {false, true}) {
                    String what = backend().name() + " [" + rows + ", " + cols + "]" + (affine ? " affine" : "");
                    float[] x = toFloat(values(rnd, rows * cols, 3, false));
                    for (int i = 0; i < x.length; i++) x[i] += 2;  // a mean away from 0
                    float[] w = affine ? toFloat(values(rnd, cols, 1, false)) : null;
                    float[] b = affine ? toFloat(values(rnd, cols, 1, false)) : null;
                    checkLayerNorm(what, x, w, b, rows, cols);
                    checkRmsNorm(what, x, w, rows, cols);
                }
            }
        }
    }

    private void checkLayerNorm(String what, float[] x, float[] w, float[] b, int rows, int cols) {
        float eps = 1e-5f;
        float[] want = new float[x.length], wantMean = new float[rows], wantRstd = new float[rows];
        float[] got = new float[x.length], gotMean = new float[rows], gotRstd = new float[rows];
        REFERENCE.layerNorm(want, wantMean, wantRstd, x.clone(), w, b, rows, cols, eps);
        backend().layerNorm(got, gotMean, gotRstd, x.clone(), w, b, rows, cols, eps);
        double s = (cols / L + L + 2) * U;
        double[] meanTol = new double[rows], rstdTol = new double[rows], outTol = new double[x.length];
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double magnitude = 0, squares = 0, mean = wantMean[r], rstd = wantRstd[r];
            for (int c = 0; c < cols; c++) magnitude += Math.abs(x[o + c]);
            meanTol[r] = s * magnitude / cols + 2 * U * Math.abs(mean);
            double squaresTol = 0;
            for (int c = 0; c < cols; c++) {
                double centred = x[o + c] - mean, centredTol = meanTol[r] + 2 * U * Math.abs(centred);
                squares += centred * centred;
                squaresTol += 2 * Math.abs(centred) * centredTol;
            }
            double shifted = squares / cols + eps;
            double shiftedTol = (squaresTol + (s + 2 * U) * squares) / cols + 2 * U * shifted;
            rstdTol[r] = rstd * (shiftedTol / (2 * shifted) + 2 * U);
            for (int c = 0; c < cols; c++) {
                double centred = Math.abs(x[o + c] - mean), weight = w == null ? 1 : Math.abs(w[c]);
                double centredTol = meanTol[r] + 2 * U * centred;
                outTol[o + c] = (centredTol * rstd + centred * rstdTol[r]) * weight
                        + 4 * U * (centred * rstd * weight + (b == null ? 0 : Math.abs(b[c])));
            }
        }
        assertWithin(what + " layer norm mean", wantMean, gotMean, twice(meanTol));
        assertWithin(what + " layer norm rstd", wantRstd, gotRstd, twice(rstdTol));
        assertWithin(what + " layer norm out", want, got, twice(outTol));
    }

    private void checkRmsNorm(String what, float[] x, float[] w, int rows, int cols) {
        float eps = 1e-6f;
        float[] want = new float[x.length], wantRstd = new float[rows];
        float[] got = new float[x.length], gotRstd = new float[rows];
        REFERENCE.rmsNorm(want, wantRstd, x.clone(), w, rows, cols, eps);
        backend().rmsNorm(got, gotRstd, x.clone(), w, rows, cols, eps);
        double s = (cols / L + L + 2) * U;
        double[] rstdTol = new double[rows], outTol = new double[x.length];
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double squares = 0, rstd = wantRstd[r];
            for (int c = 0; c < cols; c++) squares += (double) x[o + c] * x[o + c];
            double shifted = squares / cols + eps, shiftedTol = (s + 2 * U) * squares / cols + 2 * U * shifted;
            rstdTol[r] = rstd * (shiftedTol / (2 * shifted) + 2 * U);
            for (int c = 0; c < cols; c++) {
                double value = Math.abs(x[o + c]) * (w == null ? 1 : Math.abs(w[c]));
                outTol[o + c] = value * rstdTol[r] + 4 * U * value * rstd;
            }
        }
        assertWithin(what + " rms norm rstd", wantRstd, gotRstd, twice(rstdTol));
        assertWithin(what + " rms norm out", want, got, twice(outTol));
    }

    private static double[] twice(double[] tol) {
        double[] out = new double[tol.length];
        for (int i = 0; i < tol.length; i++) out[i] = 2 * tol[i];
        return out;
    }
}
