package dev.jtune.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
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
 * {@link Parallel#forRange} on its {@link WorkerTeam}: coverage, pieces, failures, nesting, concurrent callers, sleep. A lost
 * wake-up or a piece bound that overflows would hang a loop, hence the timeout, on a thread of its own so that a loop
 * that never ends fails the test instead of hanging the build.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
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
    void piecesAreAtLeastTheGrainExceptTheLastAndSmallerTowardsTheEnd() {
        Parallel.setThreads(2);
        for (int grain : new int[] {1, 7, 100}) {
            List<int[]> pieces = Collections.synchronizedList(new ArrayList<>());
            Parallel.forRange(1000, grain, (start, end) -> pieces.add(new int[] {start, end}));
            pieces.sort(Comparator.comparingInt(piece -> piece[0]));
            for (int i = 0; i < pieces.size(); i++) {
                int size = pieces.get(i)[1] - pieces.get(i)[0];
                boolean last = pieces.get(i)[1] == 1000;
                assertTrue(size >= grain || last, "piece " + i + " of " + size + " iterations, grain " + grain);
                if (i > 0) {
                    int before = pieces.get(i - 1)[1] - pieces.get(i - 1)[0];
                    assertTrue(size <= before, "piece " + i + " (" + size + ") is larger than the one before (" + before + ")");
                }
            }
            assertEquals(Math.max(1000 / 4, grain), pieces.getFirst()[1], "the first piece: half of all per thread");
        }
    }

    @Test
    void piecesNearTheLargestIntCoverTheRangeWithoutOverflow() {
        Parallel.setThreads(2);
        List<int[]> pieces = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(Integer.MAX_VALUE, 1 << 28, (start, end) -> pieces.add(new int[] {start, end}));
        pieces.sort(Comparator.comparingInt(piece -> piece[0]));
        int at = 0;
        for (int[] piece : pieces) {
            assertEquals(at, piece[0], "pieces must follow each other");
            assertTrue(piece[1] > piece[0], "an empty or reversed piece [" + piece[0] + ", " + piece[1] + ")");
            at = piece[1];
        }
        assertEquals(Integer.MAX_VALUE, at);
    }

    @Test
    void everyMemberTakesPiecesWhileTheOthersAreBusy() {
        Parallel.setThreads(3);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch allThree = new CountDownLatch(3);
        Parallel.forRange(3, 1, (start, end) -> {  // each piece waits for the other two, so no thread can take two
            seen.add(Thread.currentThread());
            allThree.countDown();
            await(allThree);
        });
        assertEquals(3, seen.size(), "three pieces on three threads");
        assertTrue(seen.contains(Thread.currentThread()), "the caller takes pieces too");
    }

    @Test
    void aFailureInAnyPieceReachesTheCaller() {
        Parallel.setThreads(2);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                Parallel.forRange(2, 1, (start, end) -> {
                    if (start == 1) throw new IllegalStateException("piece 1 failed");
                }));
        assertEquals("piece 1 failed", thrown.getMessage());
        assertArrayEquals(new int[] {1, 1, 1, 1}, visits(4, 1), "the team still works after a failure");
    }

    @Test
    void aFailureIsRethrownOnlyOnceThePiecesStillRunningEnd() {
        Parallel.setThreads(2);
        Error err = new AssertionError("piece 0");
        CountDownLatch otherStarted = new CountDownLatch(1);
        AtomicIntegerArray otherDone = new AtomicIntegerArray(1);
        Error thrown = assertThrows(AssertionError.class, () -> Parallel.forRange(2, 1, (start, end) -> {
            if (start == 0) {
                await(otherStarted);
                throw err;
            }
            otherStarted.countDown();
            sleep(30);  // still writing its outputs when piece 0 has already failed
            otherDone.set(0, 1);
        }));
        assertSame(err, thrown);
        assertEquals(1, otherDone.get(0), "no piece may still run when forRange returns, not even after a failure");
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
        CountDownLatch both = new CountDownLatch(2);
        Parallel.forRange(2, 1, (start, end) -> {  // a lost wake-up leaves the caller's piece waiting for the other
            seen.add(Thread.currentThread());
            both.countDown();
            await(both);
        });
        assertEquals(2, seen.size(), "the parked worker took a piece");
    }

    /** Waits for {@code latch}; a test whose pieces never meet fails here instead of hanging. */
    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(20, TimeUnit.SECONDS)) throw new AssertionError("the other pieces never started");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
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
