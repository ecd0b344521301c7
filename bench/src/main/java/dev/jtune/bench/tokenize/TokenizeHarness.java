package dev.jtune.bench.tokenize;

import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code ./jtune bench tokenize --tokenizer DIR --input FILE [--threads N] [--runs R]}: encodes every line of FILE
 * (without special tokens) and prints MB/s of input and tokens/s.
 *
 * <p>The lines are cut into N contiguous chunks, one per thread, sharing one tokenizer. The first pass (cold word
 * cache) is reported alone; then, after 3 s of warm-up, the median of R timed passes (default 5).
 */
public final class TokenizeHarness {

    private static final long WARMUP_NANOS = 3_000_000_000L;

    private TokenizeHarness() {}

    public static void main(String[] args) {
        Path dir = null;
        Path input = null;
        int threads = 1;
        int runs = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tokenizer" -> dir = Path.of(args[++i]);
                case "--input" -> input = Path.of(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("bench tokenize: unknown argument " + args[i]
                        + " (expected --tokenizer DIR --input FILE [--threads N] [--runs R])");
            }
        }
        if (dir == null || input == null) {
            throw new IllegalArgumentException("bench tokenize: --tokenizer DIR and --input FILE are required");
        }
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(dir);
        List<String> lines = readLines(input);
        long bytes = lines.stream().mapToLong(l -> l.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1)
                .sum();
        try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            long[] cold = pass(tokenizer, lines, threads, pool);
            print("cold", bytes, cold);
            long start = System.nanoTime();
            while (System.nanoTime() - start < WARMUP_NANOS) {
                pass(tokenizer, lines, threads, pool);
            }
            long[][] timed = new long[runs][];
            for (int r = 0; r < runs; r++) {
                timed[r] = pass(tokenizer, lines, threads, pool);
            }
            Arrays.sort(timed, (a, b) -> Long.compare(a[0], b[0]));
            print("warm (median of " + runs + ")", bytes, timed[runs / 2]);
        }
        System.out.printf("# %s: %d lines, %.1f MB, %d thread(s), tokenizer %s%n", input, lines.size(), bytes / 1e6,
                threads, dir);
    }

    /** Encodes all lines once; returns {nanoseconds, tokens}. */
    private static long[] pass(Tokenizer tokenizer, List<String> lines, int threads, ExecutorService pool) {
        long t0 = System.nanoTime();
        List<Future<Long>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<String> chunk = lines.subList(lines.size() * t / threads, lines.size() * (t + 1) / threads);
            parts.add(pool.submit(() -> {
                long tokens = 0;
                for (String line : chunk) {
                    tokens += tokenizer.encode(line, false).length;
                }
                return tokens;
            }));
        }
        long tokens = 0;
        for (Future<Long> f : parts) {
            try {
                tokens += f.get();
            } catch (Exception e) {
                throw new IllegalStateException("bench tokenize: a worker failed", e);
            }
        }
        return new long[] {System.nanoTime() - t0, tokens};
    }

    private static void print(String label, long bytes, long[] result) {
        double seconds = result[0] / 1e9;
        System.out.printf("tokenize %-22s %7.2f MB/s %7.2f M tokens/s  (%d tokens in %.3f s)%n", label,
                bytes / seconds / 1e6, result[1] / seconds / 1e6, result[1], seconds);
    }

    private static List<String> readLines(Path input) {
        try {
            return Files.readAllLines(input);
        } catch (IOException e) {
            throw new UncheckedIOException("bench tokenize: cannot read " + input, e);
        }
    }
}
