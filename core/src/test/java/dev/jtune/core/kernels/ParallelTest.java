package dev.jtune.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Parallel#forRange} on its {@link WorkerTeam}: coverage, failures, nesting, concurrent callers, sleep. A lost
 * wake-up would hang a loop, hence the timeout.
 */
@Timeout(60)
class ParallelTest {

    private int savedThreads;

    @BeforeEach
    void saveThreads() {
        savedThreads = Parallel.threads();
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** How many times each index of {@code [0, n)} was visited by one {@code forRange}. */
    private static int[] visits(int n, int grain) {
        AtomicIntegerArray counts = new AtomicIntegerArray(n);
        Parallel.forRange(n, grain, (start, end) -> {
            for (int i = start; i < end; i++) counts.incrementAndGet(i);
        });
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = counts.get(i);
        return out;
    }

    @Test
    void everyIndexRunsExactlyOnceForAnyThreadCountAndSize() {
        for (int threads = 1; threads <= 5; threads++) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 3, 7, 64, 1001}) {
                for (int grain : new int[] {1, 3, 100}) {
                    int[] expected = new int[n];
                    Arrays.fill(expected, 1);
                    assertArrayEquals(expected, visits(n, grain), threads + " threads, n " + n + ", grain " + grain);
                }
            }
        }
    }

    @Test
    void chunksRunOnSeveralThreadsWhenAsked() {
        Parallel.setThreads(3);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.forRange(3, 1, (start, end) -> {
            seen.add(Thread.currentThread());
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < 20_000_000) Thread.onSpinWait();  // long enough for all to start
        });
        assertEquals(3, seen.size(), "three chunks on three threads");
        assertTrue(seen.contains(Thread.currentThread()), "the caller runs a chunk itself");
    }

    @Test
    void aFailureInAWorkersChunkReachesTheCallerAfterTheOtherChunksEnd() {
        Parallel.setThreads(2);
        AtomicIntegerArray done = new AtomicIntegerArray(1);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                Parallel.forRange(2, 1, (start, end) -> {
                    if (start == 1) throw new IllegalStateException("chunk 1 failed");
                    sleep(30);
                    done.set(0, 1);
                }));
        assertEquals("chunk 1 failed", thrown.getMessage());
        assertEquals(1, done.get(0), "the caller's own chunk finished before the failure was rethrown");
        assertArrayEquals(new int[] {1, 1, 1, 1}, visits(4, 1), "the team still works after a failure");
    }

    @Test
    void aFailureInTheCallersChunkIsRethrownToo() {
        Parallel.setThreads(2);
        Error err = new AssertionError("chunk 0");
        Error thrown = assertThrows(AssertionError.class, () -> Parallel.forRange(2, 1, (start, end) -> {
            if (start == 0) throw err;
        }));
        assertSame(err, thrown);
    }

    @Test
    void aNestedLoopRunsSeriallyOnTheThreadOfItsChunk() {
        Parallel.setThreads(2);
        AtomicIntegerArray wrongThread = new AtomicIntegerArray(1);
        AtomicIntegerArray counts = new AtomicIntegerArray(8);
        Parallel.forRange(2, 1, (start, end) -> {
            Thread outer = Thread.currentThread();
            Parallel.forRange(4, 1, (s, e) -> {
                if (Thread.currentThread() != outer || s != 0 || e != 4) wrongThread.set(0, 1);
                for (int i = s; i < e; i++) counts.incrementAndGet(start * 4 + i);
            });
        });
        assertEquals(0, wrongThread.get(0));
        for (int i = 0; i < 8; i++) assertEquals(1, counts.get(i));
    }

    @Test
    void threadsCallingAtOnceAllGetTheirWholeLoop() throws Exception {
        Parallel.setThreads(2);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] futures = new Future<?>[4];
            for (int c = 0; c < futures.length; c++) {
                futures[c] = callers.submit(() -> {
                    for (int rep = 0; rep < 200; rep++) {
                        int[] v = visits(101, 1);
                        for (int i = 0; i < v.length; i++) {
                            if (v[i] != 1) throw new AssertionError("index " + i + " visited " + v[i] + " times");
                        }
                    }
                });
            }
            for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void workersThatFellAsleepAreWokenByTheNextLoop() {
        Parallel.setThreads(2);
        assertArrayEquals(new int[] {1, 1}, visits(2, 1));
        sleep(3 * WorkerTeam.SPIN_NANOS / 1_000_000 + 20);  // past the spin: the worker parks
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.forRange(2, 1, (start, end) -> {
            seen.add(Thread.currentThread());
            sleep(20);
        });
        assertEquals(2, seen.size(), "the parked worker took its chunk");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
