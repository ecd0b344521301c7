package dev.jtune.bench.matmul;

import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.simd.SimdMatmul;
import java.util.Arrays;
import java.util.List;

/**
 * {@code ./jtune bench matmul [--threads N] [--runs R] [--case NAME,...] [--tiled]}: times the CPU backend's kernel
 * for each {@link MatmulCase} (or the named ones: {@link SimdMatmul}, or {@code SimdMatvec} for the one-row decode
 * cases unless {@code --tiled}), or with {@code --backend NAME} that backend's matmul on operands kept where it keeps
 * them (a device's memory), and prints {@code matmul M N K threads GFLOP/s layout case} per line (A is [M,K], B is
 * [K,N]). For the one-row cases, the weights streamed are {@code 2 x GFLOP/s} GB/s.
 *
 * <p>Each case is warmed up for two seconds, then timed {@code R} times (default 9); the median is reported.
 */
public final class MatmulHarness {

    private static final long WARMUP_NANOS = 2_000_000_000L;

    private MatmulHarness() {}

    public static void main(String[] args) {
        int threads = 2, runs = 9;
        boolean tiled = false;
        List<MatmulCase> cases = List.of(MatmulCase.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--tiled" -> tiled = true;
                case "--case" -> cases = Arrays.stream(args[++i].split(","))
                        .map(name -> MatmulCase.valueOf(name.toUpperCase())).toList();
                default -> throw new IllegalArgumentException("bench matmul: unknown argument " + args[i]
                        + " (expected --threads N, --runs R, --case NAME,..., --tiled)");
            }
        }
        Parallel.setThreads(threads);
        System.out.println("# op M N K threads GFLOP/s layout case   (median of " + runs + " runs, backend "
                + Backends.current().name() + ")");
        for (MatmulCase c : cases) {
            System.out.printf("matmul %d %d %d %d %.1f %s %s%n", c.m, c.n, c.k, threads,
                              c.flops() / medianNanos(c, runs, tiled), c.layout.label, c.name().toLowerCase());
        }
    }

    private static double medianNanos(MatmulCase c, int runs, boolean tiled) {
        MatmulCase.Operands ops = c.operands(42);
        Backend<?> backend = Backends.current();
        boolean cpu = backend.name().equals("cpu");
        Tensor[] onBackend = new Tensor[3];
        Runnable multiply = cpu ? () -> c.multiply(ops, tiled) : () -> c.multiplyOn(backend, ops, onBackend);
        long start = System.nanoTime();
        do {
            multiply.run();
        } while (System.nanoTime() - start < WARMUP_NANOS);
        long[] times = new long[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            multiply.run();
            times[r] = System.nanoTime() - t0;
        }
        Arrays.sort(times);
        return times[runs / 2];
    }
}
