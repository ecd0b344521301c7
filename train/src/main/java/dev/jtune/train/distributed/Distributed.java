package dev.jtune.train.distributed;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * The group of processes training one model, as accelerate's {@code PartialState}: this process's rank, how many
 * there are, and the collectives the trainer needs. A process started by Open MPI's {@code mpirun} with more than one
 * rank ({@code OMPI_COMM_WORLD_SIZE} > 1) joins the MPI world on first use; any other process is a world of one,
 * where every collective is a no-op and no MPI library is loaded.
 *
 * <p>Set {@code JTUNE_MPI_LIBRARY} to load another {@code libmpi} than {@code libmpi.so.40} (it must be Open MPI).
 */
public final class Distributed {

    private static Distributed world;

    private final Mpi mpi;  // null in a world of one
    private final int rank;
    private final int size;

    private Distributed(Mpi mpi, int rank, int size) {
        this.mpi = mpi;
        this.rank = rank;
        this.size = size;
    }

    /**
     * This process's world, set up on the first call: MPI initialised with {@code MPI_THREAD_SERIALIZED} under a
     * multi-rank {@code mpirun}, else a world of one.
     *
     * @throws IllegalStateException when started by mpirun but Open MPI's library cannot be loaded or initialised
     */
    public static synchronized Distributed world() {
        if (world == null) world = launchedSize() > 1 ? join() : new Distributed(null, 0, 1);
        return world;
    }

    /** Whether {@link #world()} has joined an MPI world in this process (so {@link #finish} or an abort is due). */
    public static synchronized boolean joined() {
        return world != null && world.mpi != null;
    }

    /** True outside a multi-rank mpirun and on its rank 0 (from the environment: joins nothing). */
    public static boolean isMainProcess() {
        return launchedSize() == 1 || envInt("OMPI_COMM_WORLD_RANK", 0) == 0;
    }

    /** The ranks mpirun started ({@code OMPI_COMM_WORLD_SIZE}), 1 when not started by Open MPI's mpirun. */
    static int launchedSize() {
        return envInt("OMPI_COMM_WORLD_SIZE", 1);
    }

    /**
     * "rank R of N" from mpirun's environment (before or without joining), or null outside a multi-rank mpirun: the
     * prefix of this process's error messages.
     */
    public static String launchedRank() {
        return launchedSize() > 1 ? "rank " + envInt("OMPI_COMM_WORLD_RANK", 0) + " of " + launchedSize() : null;
    }

    private static int envInt(String name, int fallback) {
        String value = System.getenv(name);
        try {
            return value == null ? fallback : Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Distributed join() {
        String library = System.getenv().getOrDefault("JTUNE_MPI_LIBRARY", "libmpi.so.40");
        Mpi mpi;
        try {
            mpi = Mpi.load(library);
        } catch (IllegalStateException e) {
            throw new MpiUnavailableException("started by mpirun (OMPI_COMM_WORLD_SIZE=" + launchedSize() + ") but "
                    + e.getMessage() + "; install Open MPI 4.1 or newer (Debian: apt-get install openmpi-bin "
                    + "libopenmpi-dev) on every host, or set JTUNE_MPI_LIBRARY to its libmpi.so.40", e);
        }
        int provided = mpi.initThread(Mpi.THREAD_SERIALIZED);
        if (provided < Mpi.THREAD_SERIALIZED) {
            throw new IllegalStateException("MPI_Init_thread: " + mpi.libraryVersion() + " provides thread level "
                    + provided + ", jtune needs MPI_THREAD_SERIALIZED (2)");
        }
        int rank = mpi.rank(), size = mpi.size();
        if (size != launchedSize()) {
            throw new IllegalStateException("MPI_COMM_WORLD has " + size + " ranks but OMPI_COMM_WORLD_SIZE says "
                    + launchedSize() + ": is " + library + " the library of the mpirun that started jtune?");
        }
        return new Distributed(mpi, rank, size);
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Rank 0: the process that logs, evaluates and writes files (transformers' {@code is_world_process_zero}). */
    public boolean isMain() {
        return rank == 0;
    }

    /** Sums {@code values} over all ranks, in place. */
    public void allReduceSum(double[] values) {
        if (mpi == null || values.length == 0) return;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, values);
            mpi.allreduceSum(buffer, values.length, mpi.typeDouble);
            MemorySegment.copy(buffer, ValueLayout.JAVA_DOUBLE, 0, values, 0, values.length);
        }
    }

    /** Sums the first {@code count} floats of the native {@code buffer} over all ranks, in place. */
    public void allReduceSum(MemorySegment buffer, int count) {
        if (mpi != null && count > 0) mpi.allreduceSum(buffer, count, mpi.typeFloat);
    }

    /** Overwrites the first {@code count} floats of the native {@code buffer} with rank 0's. */
    public void broadcast(MemorySegment buffer, int count) {
        if (mpi != null && count > 0) mpi.bcast(buffer, count, mpi.typeFloat, 0);
    }

    /** Rank 0's {@code bytes} on every rank (the argument of the other ranks is ignored; they may pass null). */
    public byte[] broadcast(byte[] bytes) {
        if (mpi == null) return bytes;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_DOUBLE, isMain() ? bytes.length : 0);
            mpi.bcast(length, 1, mpi.typeDouble, 0);
            int n = (int) length.get(ValueLayout.JAVA_DOUBLE, 0);
            MemorySegment buffer = arena.allocate(Math.max(1, n));
            if (isMain()) MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, n);
            mpi.bcast(buffer, n, mpi.typeByte, 0);
            return buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Waits until every rank has come here, sleeping rather than spinning while it waits. */
    public void barrier() {
        if (mpi != null) mpi.sleepingBarrier();
    }

    /**
     * Ends the whole job after a failure on this rank: prints "jtune: rank R of N failed: CAUSE" (unless
     * {@code cause} is null: already reported) and calls {@code MPI_Abort}, on which mpirun kills every rank within
     * about a second (a rank blocked in a collective would otherwise wait forever). In a world of one it returns
     * without doing anything.
     */
    public void abort(String cause, int code) {
        if (mpi == null) return;
        if (cause != null) System.err.println(String.format(Locale.ROOT, "jtune: rank %d of %d failed: %s", rank, size, cause));
        System.err.flush();
        mpi.abort(code);
    }

    /** The last call of a process that joined: waits (sleeping) for every rank, then {@code MPI_Finalize}. */
    public static synchronized void finish() {
        if (!joined()) return;
        world.mpi.sleepingBarrier();
        world.mpi.finalizeMpi();
    }

    @Override
    public String toString() {
        return mpi == null ? "a single process" : size + " ranks over " + mpi.libraryVersion();
    }
}
