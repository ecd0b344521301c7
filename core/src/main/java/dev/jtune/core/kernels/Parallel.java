package dev.jtune.core.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one parallel helper of the engine: splits a loop over {@code [0, n)} into contiguous chunks run on a fixed pool.
 *
 * <p>Callers must only parallelize loops whose iterations write disjoint outputs and must compute every output the
 * same way whatever the chunking, so results are bit-for-bit identical for any thread count. The thread count comes
 * from the system property {@code jtune.threads} (default: the number of available processors) and can be changed
 * at run time with {@link #setThreads(int)}. Nested calls from a worker run serially on that worker.
 */
public final class Parallel {

    /** A loop body over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);
    private static volatile int threads = Integer.getInteger("jtune.threads", Runtime.getRuntime().availableProcessors());
    private static volatile ExecutorService pool;

    private Parallel() {}

    /** The number of threads loops are split over. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads for later loops (at least 1). */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("Parallel.setThreads: thread count must be >= 1, got " + n);
        threads = n;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} chunks of at least {@code grain}
     * iterations each; returns when every chunk is done.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int t = threads;
        int chunks = Math.min(t, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || IN_WORKER.get()) {
            if (n > 0) body.run(0, n);
            return;
        }
        ExecutorService executor = executor();
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int start = (int) ((long) n * c / chunks), end = (int) ((long) n * (c + 1) / chunks);
            futures.add(executor.submit(() -> {
                IN_WORKER.set(true);
                try {
                    body.run(start, end);
                } finally {
                    IN_WORKER.set(false);
                }
            }));
        }
        IN_WORKER.set(true);
        try {
            body.run(0, (int) ((long) n / chunks));
        } finally {
            IN_WORKER.set(false);
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Parallel.forRange interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) throw re;
                if (cause instanceof Error err) throw err;
                throw new IllegalStateException(cause);
            }
        }
    }

    private static ExecutorService executor() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) {
                    pool = Executors.newCachedThreadPool(r -> {
                        Thread th = new Thread(r, "jtune-worker");
                        th.setDaemon(true);
                        return th;
                    });
                }
                p = pool;
            }
        }
        return p;
    }
}
