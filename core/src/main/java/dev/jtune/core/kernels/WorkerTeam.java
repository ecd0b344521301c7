package dev.jtune.core.kernels;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads behind {@link Parallel#forRange}: OpenMP's scheme, a fixed team whose idle members wait for the next loop
 * by spinning for a while before they sleep.
 *
 * <p>Why not an {@code ExecutorService}: a GPT-2 124M training step runs about 1000 parallel loops back to back, most
 * of them microseconds to a few milliseconds long. An executor's idle thread parks at once, and waking a parked thread
 * costs a system call, and on a virtual machine whose idle vCPU halted, a trip through the hypervisor: on 2 vCPUs an
 * empty two-way loop took 13-29 us that way, and one with 55-90 us of work per thread 190-330 us (4-16 and 85-150 us
 * with this team). Here a thread that has nothing to do
 * spins on the team's current loop for {@link #SPIN_NANOS} before it parks (the caller waits for the other pieces the
 * same way), so loops in quick succession never put a thread to sleep. When the team has more threads than the
 * machine has processors, spinning would take the processor from a thread with work, so nobody spins.
 *
 * <p>The members of a loop take its pieces from a shared counter rather than one fixed share each: every piece is
 * half of what is left divided by the members, and at least the loop's grain (OpenMP's guided schedule: large pieces
 * first, small ones at the end, so the members finish together). On a machine whose processors are shared, a member
 * slowed by something else then does fewer pieces instead of holding up the rest: with fixed halves, a GPT-2 124M
 * forward on 2 vCPUs left the worker waiting for the caller in 8% of its samples. One loop runs at a time: a second
 * thread that calls while a loop is running runs its loop on its own, which gives the same results (the split never
 * changes them).
 */
final class WorkerTeam {

    /** How long an idle member spins before it parks. */
    static final long SPIN_NANOS = 2_000_000;

    /** One parallel loop: immutable apart from its counters, published to the workers in {@link #current}. */
    private static final class Loop {
        final Parallel.RangeBody body;
        final int n, grain, members;
        final Thread caller = Thread.currentThread();
        /** The first iteration not handed out yet. */
        final AtomicInteger next = new AtomicInteger();
        /** Iterations whose piece has not finished yet (or was skipped after a failure). */
        final AtomicInteger unfinished;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        /** Set by the caller before it parks; the member that finishes the last piece then unparks it. */
        volatile boolean callerParked;

        Loop(Parallel.RangeBody body, int n, int grain, int members) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.members = members;
            this.unfinished = new AtomicInteger(n);
        }

        /** Takes and runs pieces until none is left; after a failure the remaining pieces are skipped. */
        void work() {
            for (int start; (start = claim()) < n; ) {
                int end = pieceEnd(start);
                try {
                    if (failure.get() == null) body.run(start, end);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    if (unfinished.addAndGet(start - end) == 0 && callerParked) LockSupport.unpark(caller);
                }
            }
        }

        /** Takes the next piece: returns its first iteration ({@code >= n} when none is left). */
        private int claim() {
            while (true) {
                int start = next.get();
                if (start >= n || next.compareAndSet(start, pieceEnd(start))) return start;
            }
        }

        /** The end of the piece that starts at {@code start}: half of what is left per member, at least a grain. */
        private int pieceEnd(int start) {
            return (int) Math.min(n, (long) start + Math.max(grain, (n - start) / (2 * members)));
        }
    }

    /** True while the calling thread runs pieces of its own loop. */
    private static final ThreadLocal<Boolean> IN_LOOP = ThreadLocal.withInitial(() -> false);

    private final int processors;
    private final ReentrantLock callerLock = new ReentrantLock();
    /** Members 1, 2, ...; only the thread holding {@link #callerLock} changes the array. */
    private volatile Worker[] workers = new Worker[0];
    /** Whether idle members spin: only while the current loop has no more members than the machine has processors. */
    private volatile boolean spinning;
    /** The latest loop; a worker takes part in each new one it sees, if the loop wants that many members. */
    private volatile Loop current;

    /** A team for a machine with {@code processors} processors (it spins only when they are not oversubscribed). */
    WorkerTeam(int processors) {
        this.processors = processors;
    }

    /** Whether the calling thread is running pieces of a loop, where a nested loop must run serially. */
    static boolean inLoop() {
        return Thread.currentThread() instanceof Worker || IN_LOOP.get();
    }

    /**
     * Runs {@code body} over {@code [0, n)} on {@code members} members (the calling thread and {@code members - 1}
     * workers), in pieces of at least {@code grain} iterations; returns when all are done and rethrows the first
     * failure. Runs the whole range serially if another thread's loop is running.
     */
    void run(Parallel.RangeBody body, int n, int grain, int members) {
        if (!callerLock.tryLock()) {
            body.run(0, n);
            return;
        }
        try {
            Worker[] team = grow(members - 1);
            spinning = members <= processors;
            Loop loop = new Loop(body, n, Math.max(1, grain), members);
            current = loop;
            for (int w = 0; w < members - 1; w++) {
                if (team[w].sleeping) LockSupport.unpark(team[w]);
            }
            IN_LOOP.set(true);
            try {
                loop.work();
            } finally {
                IN_LOOP.set(false);
            }
            awaitOthers(loop);
            Throwable failure = loop.failure.get();
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            callerLock.unlock();
        }
    }

    /** The team with at least {@code size} workers, new ones started after the current loop (they skip it). */
    private Worker[] grow(int size) {
        Worker[] team = workers;
        if (team.length >= size) return team;
        Worker[] bigger = Arrays.copyOf(team, size);
        for (int w = team.length; w < size; w++) {
            bigger[w] = new Worker(w + 1, current);
            bigger[w].start();
        }
        workers = bigger;
        return bigger;
    }

    /** Waits until every piece of {@code loop} is done: spins, then parks until the last worker unparks it. */
    private void awaitOthers(Loop loop) {
        long deadline = System.nanoTime() + SPIN_NANOS;
        while (spinning && loop.unfinished.get() > 0 && System.nanoTime() < deadline) Thread.onSpinWait();
        loop.callerParked = true;
        while (loop.unfinished.get() > 0) LockSupport.park(loop);
    }

    /** Member {@code index} of the team: takes pieces of each loop that has at least {@code index + 1} members. */
    private final class Worker extends Thread {
        private final int index;
        volatile boolean sleeping;
        private Loop seen;

        Worker(int index, Loop seen) {
            super("jtune-worker-" + index);
            setDaemon(true);
            this.index = index;
            this.seen = seen;
        }

        @Override
        public void run() {
            while (true) {
                Loop loop = awaitNextLoop();
                if (index < loop.members) loop.work();
            }
        }

        /** The next loop after {@link #seen}: spins for it, then parks until a caller unparks this worker. */
        private Loop awaitNextLoop() {
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (spinning && current == seen && System.nanoTime() < deadline) Thread.onSpinWait();
            while (current == seen) {
                sleeping = true;
                if (current == seen) LockSupport.park(this);
                sleeping = false;
            }
            seen = current;
            return seen;
        }
    }
}
