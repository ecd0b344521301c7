package dev.jtune.bench.memory;

import static dev.jtune.bench.Measure.median;

import dev.jtune.core.kernels.Parallel;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code ./jtune bench bandwidth [--threads N] [--mib M] [--runs R]}: a STREAM-like measure of memory bandwidth, the
 * limit of token-by-token generation (each step reads every weight once). STREAM's copy ({@code c = a}, 8 bytes per
 * float element) and triad ({@code a = b + s c}, 12 bytes) over three arrays of M MiB each (default 256, far beyond
 * any cache), split over threads with {@link Parallel#forRange}; like STREAM it reports the best of R runs (default
 * 10), with the median beside it. Without {@code --threads} it runs 1 and 2 threads.
 */
public final class BandwidthHarness {

    /** Elements one thread at least takes, so splitting never dominates. */
    private static final int GRAIN = 1 << 20;

    /** GB/s (10^9 bytes) of copy and triad at one thread count: best and median of the runs. */
    public record Result(int threads, double copyBest, double copyMedian, double triadBest, double triadMedian) {

        /** The highest streaming rate seen, the figure a bandwidth-bound kernel is measured against. */
        public double limit() {
            return Math.max(copyBest, triadBest);
        }
    }

    private BandwidthHarness() {}

    public static void main(String[] args) {
        int[] threads = {1, 2};
        int mib = 256, runs = 10;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = new int[] {Integer.parseInt(args[++i])};
                case "--mib" -> mib = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("bench bandwidth: unknown argument " + args[i]
                        + " (expected --threads N, --mib M, --runs R)");
            }
        }
        System.out.printf(Locale.ROOT, "# bandwidth: STREAM copy (8 B/element) and triad (12 B/element), 3 arrays of "
                + "%d MiB, best (median) of %d runs%n", mib, runs);
        for (int t : threads) {
            Result r = measure(t, mib, runs);
            System.out.printf(Locale.ROOT, "bandwidth threads %d: copy %.1f GB/s (%.1f), triad %.1f GB/s (%.1f)%n",
                    t, r.copyBest, r.copyMedian, r.triadBest, r.triadMedian);
        }
    }

    /** Copy and triad on {@code threads} threads over three fresh arrays of {@code mib} MiB; restores the count. */
    public static Result measure(int threads, int mib, int runs) {
        int n = mib << 18;  // floats
        float[] a = new float[n], b = new float[n], c = new float[n];
        Arrays.fill(a, 1f);
        Arrays.fill(b, 2f);
        Arrays.fill(c, 0.5f);
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            double[] copy = new double[runs], triad = new double[runs];
            for (int r = -1; r < runs; r++) {  // one warm-up run
                long t0 = System.nanoTime();
                Parallel.forRange(n, GRAIN, (from, to) -> System.arraycopy(a, from, c, from, to - from));
                long t1 = System.nanoTime();
                Parallel.forRange(n, GRAIN, (from, to) -> triad(a, b, c, 3f, from, to));
                long t2 = System.nanoTime();
                if (r >= 0) {
                    copy[r] = 8.0 * n / (t1 - t0);
                    triad[r] = 12.0 * n / (t2 - t1);
                }
            }
            return new Result(threads, max(copy), median(copy), max(triad), median(triad));
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** STREAM's triad {@code a = b + s c} over {@code [from, to)}. */
    private static void triad(float[] a, float[] b, float[] c, float s, int from, int to) {
        for (int j = from; j < to; j++) a[j] = b[j] + s * c[j];
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }
}
