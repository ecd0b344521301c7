package dev.jtune.nn;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;

/** What a piece of work allocates on the calling thread (tensor buffers are Java arrays, so they count). */
record Allocation<T>(T result, long bytes) {

    /** A piece of work that may throw. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws Exception;
    }

    /** Runs {@code work} and measures the bytes the calling thread allocated meanwhile. */
    static <T> Allocation<T> of(Work<T> work) throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        T result = work.run();
        return new Allocation<>(result, threads.getCurrentThreadAllocatedBytes() - before);
    }
}
