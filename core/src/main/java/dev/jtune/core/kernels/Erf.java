package dev.jtune.core.kernels;

/**
 * The error function and its complement in double precision, accurate to about 1e-15 relative (erfc keeps its
 * relative accuracy deep into the tail, where {@code 1 - erf(x)} would cancel to nothing).
 *
 * <p>Two classical expansions, chosen by {@code |x|} so each runs where it converges fast:
 * <ul>
 *   <li>{@code |x| < 1.5}: the series of Abramowitz and Stegun 7.1.6,
 *       {@code erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))}, whose terms are all positive (no
 *       cancellation, unlike the Taylor series of erf itself);</li>
 *   <li>{@code |x| >= 1.5}: the continued fraction of A&amp;S 7.1.14,
 *       {@code erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))}, evaluated with the
 *       modified Lentz algorithm (Numerical Recipes 5.2); under 100 terms reach full precision from 1.5 on.</li>
 * </ul>
 * Both scale by {@code exp(-x^2)}; {@code x^2} is split into a rounded part and its exact rounding error (an FMA) so the
 * exponential does not inherit the {@code x^2 * 2^-53} relative error of the rounded square.
 */
public final class Erf {

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126; // 2 / sqrt(pi)
    private static final double ONE_OVER_SQRT_PI = 0.5641895835477563; // 1 / sqrt(pi)
    private static final double SERIES_LIMIT = 1.5;

    private Erf() {}

    /** {@code erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt}; erf(NaN) is NaN. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (!(ax >= SERIES_LIMIT)) return series(x); // also NaN
        return Math.copySign(1 - continuedFraction(ax), x);
    }

    /** {@code erfc(x) = 1 - erf(x)}, with full relative accuracy for large positive x; erfc(NaN) is NaN. */
    public static double erfc(double x) {
        if (x != x) return x;
        if (Math.abs(x) < SERIES_LIMIT) return 1 - series(x);
        return x > 0 ? continuedFraction(x) : 2 - continuedFraction(-x);
    }

    /** A&S 7.1.6 for {@code |x| < 1.5}: about 30 terms at most. */
    private static double series(double x) {
        double x2 = x * x;
        double term = x, sum = x;
        for (int n = 0; Math.abs(term) > 0x1p-56 * Math.abs(sum); n++) {
            term *= 2 * x2 / (2 * n + 3);
            sum += term;
        }
        return TWO_OVER_SQRT_PI * expMinusSquare(x) * sum;
    }

    /** A&S 7.1.14 for {@code x >= 1.5} by modified Lentz: {@code b_k = x}, {@code a_k = k/2}. */
    private static double continuedFraction(double x) {
        if (x == Double.POSITIVE_INFINITY) return 0;
        double tiny = 0x1p-1000;
        double f = x, c = x, d = 0;
        for (int k = 1; k < 1000; k++) {
            double a = 0.5 * k;
            d = x + a * d;
            d = 1 / (d == 0 ? tiny : d);
            c = x + a / c;
            if (c == 0) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) <= 0x1p-53) break;
        }
        return ONE_OVER_SQRT_PI * expMinusSquare(x) / f;
    }

    /**
     * {@code exp(-x^2)} with {@code x^2 = hi + lo} exactly, so {@code exp(-hi - lo) ~ exp(-hi) * (1 - lo)}; +0 where it
     * underflows (for |x| beyond 1e8, lo can exceed 1 and would make the zero negative).
     */
    private static double expMinusSquare(double x) {
        double hi = x * x;
        double lo = Math.fma(x, x, -hi);
        double e = Math.exp(-hi);
        return e == 0 ? 0 : e * (1 - lo);
    }
}
