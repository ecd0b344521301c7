package dev.jtune.train.distributed;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The few calls of Open MPI's C library that data parallelism needs, bound with the FFM API (no JNI, no jar).
 *
 * <p>Open MPI's predefined handles are not integers (as in MPICH) but the addresses of global objects in
 * {@code libmpi}: {@code MPI_COMM_WORLD} is {@code &ompi_mpi_comm_world}, {@code MPI_FLOAT} {@code &ompi_mpi_float},
 * {@code MPI_SUM} {@code &ompi_mpi_op_sum} ({@code OMPI_PREDEFINED_GLOBAL} in {@code mpi.h}), and
 * {@code MPI_IN_PLACE} is {@code (void *) 1}, {@code MPI_STATUS_IGNORE} {@code (MPI_Status *) 0}. Those symbols are
 * what ties this binding to Open MPI (4.x and 5.x keep them, with the soname {@code libmpi.so.40}).
 *
 * <p>The library is opened with {@code dlopen(RTLD_NOW | RTLD_GLOBAL)} before it is looked up, as mpi4py does: Open
 * MPI opens its components ({@code mca_*.so}) with {@code dlopen} too, and builds whose components are not linked
 * against {@code libmpi} resolve its symbols through the global namespace, which {@link SymbolLookup#libraryLookup}
 * alone ({@code RTLD_LOCAL}) would hide from them. Debian's 4.1.4 links them and works either way (checked: init and
 * an all-reduce under {@code mpirun -np 2} with {@code libraryLookup} alone).
 */
final class Mpi {

    /** {@code MPI_THREAD_SERIALIZED}: any thread may call MPI, one at a time (the trainer calls from one thread). */
    static final int THREAD_SERIALIZED = 2;
    private static final MemorySegment IN_PLACE = MemorySegment.ofAddress(1);
    private static final int RTLD_NOW = 0x2, RTLD_GLOBAL = 0x100;

    final MemorySegment commWorld, typeFloat, typeDouble, typeByte, opSum;
    private final MethodHandle initThread, commRank, commSize, allreduce, bcast, ibarrier, test, abort, finalizeCall,
            libraryVersion;

    private Mpi(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        commWorld = symbol(lib, "ompi_mpi_comm_world");
        typeFloat = symbol(lib, "ompi_mpi_float");
        typeDouble = symbol(lib, "ompi_mpi_double");
        typeByte = symbol(lib, "ompi_mpi_byte");
        opSum = symbol(lib, "ompi_mpi_op_sum");
        initThread = linker.downcallHandle(symbol(lib, "MPI_Init_thread"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        commRank = linker.downcallHandle(symbol(lib, "MPI_Comm_rank"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        commSize = linker.downcallHandle(symbol(lib, "MPI_Comm_size"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        allreduce = linker.downcallHandle(symbol(lib, "MPI_Allreduce"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        bcast = linker.downcallHandle(symbol(lib, "MPI_Bcast"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        ibarrier = linker.downcallHandle(symbol(lib, "MPI_Ibarrier"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        test = linker.downcallHandle(symbol(lib, "MPI_Test"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        abort = linker.downcallHandle(symbol(lib, "MPI_Abort"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        finalizeCall = linker.downcallHandle(symbol(lib, "MPI_Finalize"), FunctionDescriptor.of(JAVA_INT));
        libraryVersion = linker.downcallHandle(symbol(lib, "MPI_Get_library_version"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * Opens {@code library} (a soname or path) and binds the calls.
     *
     * @throws IllegalStateException naming the library and what is wrong: not found, or not Open MPI
     */
    static Mpi load(String library) {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(), FunctionDescriptor.of(ADDRESS));
            MemorySegment handle = (MemorySegment) dlopen.invokeExact(arena.allocateFrom(library), RTLD_NOW | RTLD_GLOBAL);
            if (handle.equals(MemorySegment.NULL)) {
                MemorySegment why = (MemorySegment) dlerror.invokeExact();
                throw new IllegalStateException("cannot load the MPI library " + library + ": "
                        + (why.equals(MemorySegment.NULL) ? "dlopen failed" : why.reinterpret(4096).getString(0)));
            }
        } catch (IllegalStateException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot load the MPI library " + library + ": " + e, e);
        }
        return new Mpi(SymbolLookup.libraryLookup(library, Arena.global()));
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("the MPI library has no symbol " + name
                + ": jtune's binding needs Open MPI 4 or newer (its libmpi.so.40), not another MPI"));
    }

    /** {@code MPI_Init_thread(NULL, NULL, required, &provided)}; returns {@code provided}. */
    int initThread(int required) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment provided = arena.allocate(JAVA_INT);
            check("MPI_Init_thread", (int) initThread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, required, provided));
            return provided.get(JAVA_INT, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    int rank() {
        return intQuery(commRank, "MPI_Comm_rank");
    }

    int size() {
        return intQuery(commSize, "MPI_Comm_size");
    }

    private int intQuery(MethodHandle call, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check(name, (int) call.invokeExact(commWorld, out));
            return out.get(JAVA_INT, 0);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** In-place {@code MPI_Allreduce(MPI_IN_PLACE, buffer, count, type, MPI_SUM, MPI_COMM_WORLD)}. */
    void allreduceSum(MemorySegment buffer, int count, MemorySegment type) {
        try {
            check("MPI_Allreduce", (int) allreduce.invokeExact(IN_PLACE, buffer, count, type, opSum, commWorld));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code MPI_Bcast(buffer, count, type, root, MPI_COMM_WORLD)}. */
    void bcast(MemorySegment buffer, int count, MemorySegment type, int root) {
        try {
            check("MPI_Bcast", (int) bcast.invokeExact(buffer, count, type, root, commWorld));
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /**
     * A barrier that waits without spinning: {@code MPI_Ibarrier}, then {@code MPI_Test} every millisecond, so a rank
     * waiting for rank 0 (evaluating, writing a checkpoint) leaves its core to the others on a shared machine
     * (a blocking {@code MPI_Barrier} busy-polls).
     */
    void sleepingBarrier() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment request = arena.allocate(ADDRESS), flag = arena.allocate(JAVA_INT);
            check("MPI_Ibarrier", (int) ibarrier.invokeExact(commWorld, request));
            while (true) {
                check("MPI_Test", (int) test.invokeExact(request, flag, MemorySegment.NULL));
                if (flag.get(JAVA_INT, 0) != 0) return;
                Thread.sleep(1);
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code MPI_Abort(MPI_COMM_WORLD, code)}: mpirun kills every rank; does not return. */
    void abort(int code) {
        try {
            int rc = (int) abort.invokeExact(commWorld, code);
            throw new IllegalStateException("MPI_Abort returned " + rc);
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    void finalizeMpi() {
        try {
            check("MPI_Finalize", (int) finalizeCall.invokeExact());
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    /** {@code MPI_Get_library_version}, e.g. "Open MPI v4.1.4, package: Debian OpenMPI, ...". */
    String libraryVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(256), length = arena.allocate(JAVA_INT);  // MPI_MAX_LIBRARY_VERSION_STRING
            check("MPI_Get_library_version", (int) libraryVersion.invokeExact(text, length));
            return text.getString(0).lines().findFirst().orElse("").trim();
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static void check(String call, int rc) {
        if (rc != 0) throw new IllegalStateException(call + " failed with MPI error " + rc);
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) return r;
        if (e instanceof Error err) throw err;
        return new IllegalStateException(e);
    }
}
