package dev.jtune.bench.memory;

import static dev.jtune.bench.Measure.median;

import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.simd.SimdReduce;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code ./jtune bench bandwidth [--threads N] [--mib M] [--runs R]}: a STREAM-like measure of memory bandwidth, the
 * limit of token-by-token generation (each step reads every weight once). STREAM's copy ({@code c = a}, 8 bytes per
 * float element) and triad ({@code a = b + s c}, 12 bytes), and a read-only pass like a decode step's (the engine's
 * vectorised row sums over {@code a}, 4 bytes), over arrays of M MiB each (default 256, far beyond any cache), split
 * over threads with {@link Parallel#forRange}. Like STREAM it reports the best of R runs (default 10), with the median
 * beside it. Without {@code --threads} it runs 1 and 2 threads.
 */
public final class BandwidthHarness {

    /** Elements one thread at least takes, so splitting never dominates. */
    private static final int GRAIN = 1 << 20;
    /** Floats per row of the read pass. */
    private static final int ROW = 1 << 16;

    /** GB/s (10^9 bytes) at one thread count: best and median of the runs of each pass. */
    public record Result(int threads, double copyBest, double copyMedian, double triadBest, double triadMedian,
                         double readBest, double readMedian) {

        /** The highest rate memory was seen to stream at, the figure a bandwidth-bound kernel is measured against. */
        public double limit() {
            return Math.max(readBest, Math.max(copyBest, triadBest));
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
        System.out.printf(Locale.ROOT, "# bandwidth: STREAM copy (8 B/element), triad (12 B/element) and a read-only "
                + "sum (4 B/element), arrays of %d MiB, best (median) of %d runs%n", mib, runs);
        for (int t : threads) {
            Result r = measure(t, mib, runs);
            System.out.printf(Locale.ROOT, "bandwidth threads %d: copy %.1f GB/s (%.1f), triad %.1f GB/s (%.1f), "
                    + "read %.1f GB/s (%.1f)%n", t, r.copyBest, r.copyMedian, r.triadBest, r.triadMedian, r.readBest,
                    r.readMedian);
        }
    }

    /** The three passes on {@code threads} threads over three fresh arrays of {@code mib} MiB; restores the count. */
    public static Result measure(int threads, int mib, int runs) {
        int n = mib << 18;  // floats, a multiple of ROW
        float[] a = new float[n], b = new float[n], c = new float[n], sums = new float[n / ROW];
        Arrays.fill(a, 1f);
        Arrays.fill(b, 2f);
        Arrays.fill(c, 0.5f);
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            double[] copy = new double[runs], triad = new double[runs], read = new double[runs];
            for (int r = -1; r < runs; r++) {  // one warm-up run
                long t0 = System.nanoTime();
                Parallel.forRange(n, GRAIN, (from, to) -> System.arraycopy(a, from, c, from, to - from));
                long t1 = System.nanoTime();
                Parallel.forRange(n, GRAIN, (from, to) -> triad(a, b, c, 3f, from, to));
                long t2 = System.nanoTime();
                Parallel.forRange(sums.length, GRAIN / ROW, (from, to) -> SimdReduce.sumRows(sums, b, ROW, from, to));
                long t3 = System.nanoTime();
                if (r >= 0) {
                    copy[r] = 8.0 * n / (t1 - t0);
                    triad[r] = 12.0 * n / (t2 - t1);
                    read[r] = 4.0 * n / (t3 - t2);
                }
            }
            return new Result(threads, max(copy), median(copy), max(triad), median(triad), max(read), median(read));
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
