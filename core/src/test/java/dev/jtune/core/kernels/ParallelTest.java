package dev.jtune.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HashSet;
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
    void chunkCRunsOnMemberCAndTheCallerRunsChunkZero() {
        Parallel.setThreads(3);
        Thread[] ranOn = new Thread[3];
        Parallel.forRange(3, 1, (start, end) -> ranOn[start] = Thread.currentThread());
        assertSame(Thread.currentThread(), ranOn[0], "the caller runs chunk 0 itself");
        assertEquals(3, new HashSet<>(Arrays.asList(ranOn)).size(), "three chunks on three threads");
    }

    @Test
    void aFailureInAWorkersChunkReachesTheCaller() {
        Parallel.setThreads(2);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                Parallel.forRange(2, 1, (start, end) -> {
                    if (start == 1) throw new IllegalStateException("chunk 1 failed");
                }));
        assertEquals("chunk 1 failed", thrown.getMessage());
        assertArrayEquals(new int[] {1, 1, 1, 1}, visits(4, 1), "the team still works after a failure");
    }

    @Test
    void aFailureInTheCallersChunkIsRethrownOnlyOnceTheWorkersChunksEnd() {
        Parallel.setThreads(2);
        Error err = new AssertionError("chunk 0");
        AtomicIntegerArray workerDone = new AtomicIntegerArray(1);
        Error thrown = assertThrows(AssertionError.class, () -> Parallel.forRange(2, 1, (start, end) -> {
            if (start == 0) throw err;
            sleep(30);  // still writing its outputs when the caller's chunk has already failed
            workerDone.set(0, 1);
        }));
        assertSame(err, thrown);
        assertEquals(1, workerDone.get(0), "no chunk may still run when forRange returns, not even after a failure");
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
        sleep(3 * WorkerTeam.SPIN_NANOS / 1_000_000 + 20);  // well past the spin: the worker has parked
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.forRange(2, 1, (start, end) -> seen.add(Thread.currentThread()));  // a lost wake-up hangs here
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
