package dev.jtune.bench.matmul;

import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.simd.SimdMatmul;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./jtune bench matmul [--threads N] [--runs R] [--case NAME,...]}: times {@link SimdMatmul} on every
 * {@link MatmulCase} (or the named ones) and prints {@code matmul M N K threads GFLOP/s layout case} per line (A is
 * [M,K], B is [K,N]).
 *
 * <p>Each case is warmed up for two seconds, then timed {@code R} times (default 9); the median is reported.
 */
public final class MatmulHarness {

    private static final long WARMUP_NANOS = 2_000_000_000L;

    private MatmulHarness() {}

    public static void main(String[] args) {
        int threads = 2, runs = 9;
        List<MatmulCase> cases = List.of(MatmulCase.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--case" -> cases = Arrays.stream(args[++i].split(","))
                        .map(name -> MatmulCase.valueOf(name.toUpperCase())).toList();
                default -> throw new IllegalArgumentException("bench matmul: unknown argument " + args[i]
                                                              + " (expected --threads N, --runs R, --case NAME,...)");
            }
        }
        Parallel.setThreads(threads);
        System.out.println("# op M N K threads GFLOP/s layout case   (median of " + runs + " runs)");
        for (MatmulCase c : cases) {
            System.out.printf("matmul %d %d %d %d %.1f %s %s%n", c.m, c.n, c.k, threads,
                              c.flops() / medianNanos(c, runs), c.layout.label, c.name().toLowerCase());
        }
    }

    private static double medianNanos(MatmulCase c, int runs) {
        MatmulCase.Operands ops = c.operands(42);
        long start = System.nanoTime();
        do {
            run(c, ops);
        } while (System.nanoTime() - start < WARMUP_NANOS);
        long[] times = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            run(c, ops);
            times[r] = System.nanoTime() - t0;
        }
        Arrays.sort(times);
        return times[runs / 2];
    }

    private static void run(MatmulCase c, MatmulCase.Operands ops) {
        int[] offsets = {0};
        SimdMatmul.matmul(ops.out(), ops.a(), offsets, ops.aRowStride(), ops.aColStride(),
                          ops.b(), offsets, ops.bRowStride(), ops.bColStride(), c.m, c.n, c.k);
    }
}
