package dev.jtune.core.kernels;

/**
 * The one parallel helper of the engine: splits a loop over {@code [0, n)} into contiguous pieces run by a
 * {@link WorkerTeam} (the calling thread and spinning workers, as in OpenMP, with its guided schedule).
 *
 * <p>Callers must only parallelize loops whose iterations write disjoint outputs and must compute every output the
 * same way whatever the split, so results are bit-for-bit identical for any thread count. The thread count comes
 * from the system property {@code jtune.threads} (default: the number of available processors) and can be changed
 * at run time with {@link #setThreads(int)}. Nested calls from inside a piece run serially on that thread.
 */
public final class Parallel {

    /** A loop body over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();
    private static final WorkerTeam TEAM = new WorkerTeam(PROCESSORS);
    private static volatile int threads = Integer.getInteger("jtune.threads", PROCESSORS);

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
     * Runs {@code body} over {@code [0, n)} on at most {@link #threads()} threads, one more for every {@code grain}
     * iterations, in pieces of at least {@code grain} iterations (the last may be shorter); returns when every piece
     * is done. Which thread runs which piece, and how many pieces there are, varies from call to call.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        int members = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (members <= 1 || WorkerTeam.inLoop()) {
            if (n > 0) body.run(0, n);
            return;
        }
        TEAM.run(body, n, grain, members);
    }
}
