package dev.jtune.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task5;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * All device memory of the TornadoVM backend and the one execution plan that runs every kernel on it.
 *
 * <p>TornadoVM binds a task graph to its arrays when the graph is built, and building one costs a compilation (about
 * 150 ms), so an eager engine cannot build a graph per op. Instead every float tensor lives in one device-resident
 * {@code heap} (and integer data in one int arena), regions of which are handed out by an {@link ArenaAllocator}; each
 * {@link Kernel} has one graph that consumes the heap from the device and leaves it there, and reads its operands'
 * offsets and sizes from a small {@code args} array sent with every launch. A launch sets {@code args}, the graph's
 * grid, and executes that graph: no data crosses the bus but the arguments. Host data moves through staging arrays of a
 * few sizes ({@link #upload}, {@link #download}). Kernels compile at their first launch (0.4-2.8 s each on pocl).
 *
 * <p>Kernels are compiled without OpenCL's fast-math flags (TornadoVM's default), which would make NaN and infinity
 * handling undefined, and without TornadoVM's FMA contraction (see the static initializer). Not thread-safe: one thread
 * drives the device.
 */
public final class DeviceArena implements AutoCloseable {

    /**
     * The system property with the heap size in bytes ({@code 2g}, {@code 512m}, ...); see {@link
     * #fromSystemProperties}.
     */
    public static final String MEMORY_PROPERTY = "jtune.tornado.memory";
    /** The system property naming the device as {@code DRIVER:DEVICE} ({@code ./jtune info} lists them); default 0:0. */
    public static final String DEVICE_PROPERTY = "jtune.tornado.device";
    /** The int arena of {@link #fromSystemProperties}: 4 Mi ints, for indices, targets and batch offsets. */
    static final int DEFAULT_INTS = 1 << 22;
    /** The staging sizes: a transfer uses the smallest that holds it, or loops over the largest. */
    private static final int[] STAGING = {1 << 12, 1 << 18, 1 << 22};
    /**
     * The sizes of the arrays of block sums a {@link #blockSumsOfSquares} launch sends back (64 blocks cover 1 Mi
     * floats, 4096 blocks 64 Mi): a launch uses the smallest that holds its blocks, so little more than they crosses.
     */
    private static final int[] BLOCK_SUMS = {1 << 6, 1 << 12};
    /** Slots of {@code args} and {@code scalars}. */
    private static final int ARGS = 64, SCALARS = 16;
    /** OpenCL build options: warnings off, and none of TornadoVM's default fast-math flags. */
    private static final String OPENCL_FLAGS = "-w";

    static {
        // TornadoVM's FMA-contraction phase crashes the OpenCL code generator (a NullPointerException in OCLFMANode)
        // on kernels such as the unary one; it must be off before TornadoVM reads its options, i.e. before any graph.
        if (System.getProperty("tornado.enable.fma") == null) System.setProperty("tornado.enable.fma", "False");
    }

    private final FloatArray heap;
    private final IntArray ints;
    private final IntArray args = new IntArray(ARGS);
    private final FloatArray scalars = new FloatArray(SCALARS);
    private final FloatArray[] floatStaging = new FloatArray[STAGING.length];
    private final IntArray[] intStaging = new IntArray[STAGING.length];
    private final DoubleArray[] blockSums = new DoubleArray[BLOCK_SUMS.length];
    private final ArenaAllocator floats, intRegions;
    private final List<WorkerGrid> grids = new ArrayList<>();
    private final TornadoExecutionPlan plan;
    /** Graph indices in the plan: the uploads and downloads per staging size, the sums of squares, then the kernels. */
    private final int uploads, downloads, intUploads, intDownloads, sumsOfSquares, kernels;

    /**
     * An arena on TornadoVM's default device (driver 0, device 0).
     *
     * @param heapFloats capacity of the float heap, at most {@code Integer.MAX_VALUE}
     * @param arenaInts capacity of the int arena
     */
    public DeviceArena(long heapFloats, int arenaInts) {
        this(heapFloats, arenaInts, TornadoExecutionPlan.getDevice(0, 0));
    }

    /** An arena on {@code device}. */
    public DeviceArena(long heapFloats, int arenaInts, TornadoDevice device) {
        if (heapFloats < 1 || heapFloats > Integer.MAX_VALUE || arenaInts < 1) {
            throw new IllegalArgumentException("device arena: capacities must be in [1, 2^31-1], got " + heapFloats
                    + " floats and " + arenaInts + " ints");
        }
        String hint = "raise it with -D" + MEMORY_PROPERTY + "=<bytes>, e.g. 4g";
        floats = new ArenaAllocator("device heap", "floats", heapFloats, hint);
        intRegions = new ArenaAllocator("device int arena", "ints", arenaInts, "it has a fixed size of " + arenaInts);
        heap = new FloatArray((int) heapFloats);
        ints = new IntArray(arenaInts);
        for (int s = 0; s < STAGING.length; s++) {
            floatStaging[s] = new FloatArray(STAGING[s]);
            intStaging[s] = new IntArray(STAGING[s]);
        }
        for (int s = 0; s < BLOCK_SUMS.length; s++) blockSums[s] = new DoubleArray(BLOCK_SUMS[s]);
        List<ImmutableTaskGraph> graphs = new ArrayList<>();
        GridScheduler scheduler = new GridScheduler();
        KernelContext context = new KernelContext();
        graphs.add(graph("init", scheduler, new TaskGraph("init")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, heap, ints)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, args, floatStaging[0])
                .task("t", TransferKernels::upload, context, heap, ints, args, floatStaging[0])));
        uploads = addTransfers(graphs, scheduler, context, "upload", floatStaging, TransferKernels::upload, false);
        downloads = addTransfers(graphs, scheduler, context, "download", floatStaging, TransferKernels::download, true);
        intUploads = addTransfers(graphs, scheduler, context, "uploadInts", intStaging, TransferKernels::uploadInts,
                false);
        intDownloads = addTransfers(graphs, scheduler, context, "downloadInts", intStaging,
                TransferKernels::downloadInts, true);
        sumsOfSquares = addTransfers(graphs, scheduler, context, "sumOfSquares", blockSums, ReduceKernels::sumOfSquares,
                true);
        kernels = graphs.size();
        for (Kernel kernel : Kernel.values()) {
            String name = kernel.name().toLowerCase(Locale.ROOT);
            Task5<KernelContext, FloatArray, IntArray, IntArray, FloatArray> code = kernel.code;
            graphs.add(graph(name, scheduler, resident(name)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, args, scalars)
                    .task("t", code, context, heap, ints, args, scalars)));
        }
        plan = new TornadoExecutionPlan(graphs.toArray(ImmutableTaskGraph[]::new));
        plan.withDevice(device).withGridScheduler(scheduler).withCompilerFlags(TornadoVMBackendType.OPENCL, OPENCL_FLAGS);
        args.set(0, 0);
        plan.withGraph(0).execute(); // moves the heap and int arena to the device, once
    }

    /**
     * An arena whose heap holds {@value #MEMORY_PROPERTY} bytes (default 1g), with a {@value #DEFAULT_INTS}-int arena,
     * on the device {@value #DEVICE_PROPERTY} names (default 0:0).
     */
    public static DeviceArena fromSystemProperties() {
        long bytes = parseBytes(System.getProperty(MEMORY_PROPERTY, "1g"));
        return new DeviceArena(Math.min(bytes / Float.BYTES, Integer.MAX_VALUE), DEFAULT_INTS,
                device(System.getProperty(DEVICE_PROPERTY, "0:0")));
    }

    /** The device {@code DRIVER:DEVICE} names, with a one-line error naming what is installed when there is none. */
    static TornadoDevice device(String name) {
        String[] parts = name.strip().split(":");
        try {
            if (parts.length != 2) throw new NumberFormatException();
            return TornadoExecutionPlan.getDevice(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("-D" + DEVICE_PROPERTY + "=" + name + " (--device): no such TornadoVM "
                    + "device; ./jtune info lists them as DRIVER:DEVICE, e.g. 0:0", e);
        }
    }

    /** {@code 123}, {@code 64k}, {@code 512m}, {@code 2g}: bytes, as for {@code -Xmx}. */
    static long parseBytes(String size) {
        String s = size.strip().toLowerCase(Locale.ROOT);
        int shift = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 10;
            case 'm' -> 20;
            case 'g' -> 30;
            default -> 0;
        };
        try {
            return Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1)) << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + MEMORY_PROPERTY + "=" + size + ": not a size like 512m or 4g", e);
        }
    }

    /** The start of a new heap region of {@code n} floats (contents undefined); {@link OutOfMemoryError} when full. */
    public int allocate(long n) {
        return floats.allocate(n);
    }

    /** Frees the heap region starting at {@code offset}. */
    public void free(int offset) {
        floats.free(offset);
    }

    /** The start of a new int-arena region of {@code n} ints. */
    public int allocateInts(long n) {
        return intRegions.allocate(n);
    }

    /** Frees the int-arena region starting at {@code offset}. */
    public void freeInts(int offset) {
        intRegions.free(offset);
    }

    /** Floats in allocated heap regions. */
    public long heapInUse() {
        return floats.inUse();
    }

    /** {@code heap[heapOffset + i] = src[i]} for {@code i < length} ({@code src} may be longer: a pooled array). */
    public void upload(float[] src, int heapOffset, int length) {
        toDevice(src, length, floatStaging, ValueLayout.JAVA_FLOAT, uploads, heapOffset);
    }

    /** {@code dst[i] = heap[heapOffset + i]} for {@code i < length} ({@code dst} may be longer). */
    public void download(int heapOffset, float[] dst, int length) {
        toHost(heapOffset, dst, length, floatStaging, ValueLayout.JAVA_FLOAT, downloads);
    }

    /** {@code ints[intOffset + i] = src[i]} for all of {@code src}. */
    public void uploadInts(int[] src, int intOffset) {
        toDevice(src, src.length, intStaging, ValueLayout.JAVA_INT, intUploads, intOffset);
    }

    /** {@code dst[i] = ints[intOffset + i]} for all of {@code dst}. */
    public void downloadInts(int intOffset, int[] dst) {
        toHost(intOffset, dst, dst.length, intStaging, ValueLayout.JAVA_INT, intDownloads);
    }

    /**
     * Copies the {@code length} elements of the host array {@code src} through the staging arrays (the upload graphs
     * from {@code graphs} on) to the arena at {@code offset}.
     */
    private void toDevice(Object src, int length, TornadoNativeArray[] staging, ValueLayout layout, int graphs,
                          int offset) {
        inChunks(length, STAGING, (s, done, n) -> {
            MemorySegment.copy(src, done, staging[s].getSegment(), layout, 0, n);
            transfer(graphs + s, n, offset + done);
        });
    }

    /** Copies {@code length} elements at the arena's {@code offset} through the download graphs into {@code dst}. */
    private void toHost(int offset, Object dst, int length, TornadoNativeArray[] staging, ValueLayout layout,
                        int graphs) {
        inChunks(length, STAGING, (s, done, n) -> {
            transfer(graphs + s, n, offset + done);
            MemorySegment.copy(staging[s].getSegment(), layout, 0, dst, done, n);
        });
    }

    /**
     * The sums of squares, in double, of the {@code blocks} blocks of the table at {@code ints[table..]} (each block's
     * heap offset and length, {@link ReduceKernels#sumOfSquares}), in table order: only these come to the host, one
     * launch per 4096 blocks (the largest array of {@link #BLOCK_SUMS}).
     */
    public double[] blockSumsOfSquares(int table, int blocks) {
        double[] sums = new double[blocks];
        inChunks(sums.length, BLOCK_SUMS, (s, done, count) -> {
            args.set(0, table);
            args.set(1, done);
            args.set(2, count);
            execute(sumsOfSquares + s, Grid.groups(count));
            MemorySegment.copy(blockSums[s].getSegment(), ValueLayout.JAVA_DOUBLE, 0, sums, done, count);
        });
        return sums;
    }

    /** Runs {@code kernel} over {@code grid} with these int arguments (its javadoc gives their layout). */
    void launch(Kernel kernel, Grid grid, int... kernelArgs) {
        launch(kernel, grid, new float[0], kernelArgs);
    }

    /** Runs {@code kernel} over {@code grid} with these float and int arguments. */
    void launch(Kernel kernel, Grid grid, float[] kernelScalars, int... kernelArgs) {
        if (kernelArgs.length > ARGS || kernelScalars.length > SCALARS) {
            throw new IllegalArgumentException(kernel + ": " + kernelArgs.length + " args and " + kernelScalars.length
                    + " scalars, at most " + ARGS + " and " + SCALARS);
        }
        for (int i = 0; i < kernelArgs.length; i++) args.set(i, kernelArgs[i]);
        for (int i = 0; i < kernelScalars.length; i++) scalars.set(i, kernelScalars[i]);
        execute(kernels + kernel.ordinal(), grid);
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the TornadoVM execution plan", e);
        }
    }

    /** A graph that finds the heap and the int arena on the device and leaves them there. */
    private TaskGraph resident(String name) {
        return new TaskGraph(name).consumeFromDevice(heap, ints);
    }

    /**
     * One transfer graph per staging array, running {@code code} between the staging array and the arena: the staging
     * array goes to the device with each upload, or comes back to the host after each download (a download's code may
     * compute what it writes there: the sums of squares). Returns the index of the first graph added.
     */
    private <S extends TornadoNativeArray> int addTransfers(List<ImmutableTaskGraph> graphs, GridScheduler scheduler,
            KernelContext context, String name, S[] stagings, Task5<KernelContext, FloatArray, IntArray, IntArray, S> code,
            boolean download) {
        int first = graphs.size();
        for (S staging : stagings) {
            String id = name + staging.getSize();
            TaskGraph graph = resident(id).transferToDevice(DataTransferMode.EVERY_EXECUTION, args);
            if (!download) graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, staging);
            graph.task("t", code, context, heap, ints, args, staging);
            if (download) graph.transferToHost(DataTransferMode.EVERY_EXECUTION, staging);
            graphs.add(graph(id, scheduler, graph));
        }
        return first;
    }

    /** Registers the graph's grid (one per graph, set before each launch) and snapshots it. */
    private ImmutableTaskGraph graph(String name, GridScheduler scheduler, TaskGraph graph) {
        WorkerGrid grid = new WorkerGrid3D(Grid.GROUP, 1, 1);
        scheduler.addWorkerGrid(name + ".t", grid);
        grids.add(grid);
        return graph.persistOnDevice(heap, ints).snapshot();
    }

    private void transfer(int graph, int n, int offset) {
        args.set(0, n);
        args.set(1, offset);
        execute(graph, Grid.elements(n));
    }

    private void execute(int graph, Grid grid) {
        WorkerGrid worker = grids.get(graph);
        worker.setGlobalWork(grid.globalX(), grid.globalY(), grid.globalZ());
        worker.setLocalWork(grid.localX(), grid.localY(), grid.localZ());
        plan.withGraph(graph).execute();
    }

    /** Moves {@code n} elements starting at {@code done} of a host array through staging array {@code staging}. */
    @FunctionalInterface
    private interface Chunk {
        void move(int staging, int done, int n);
    }

    /**
     * Splits a transfer of {@code length} elements into chunks, each through the smallest staging array (of these
     * ascending {@code sizes}) that fits.
     */
    private static void inChunks(int length, int[] sizes, Chunk chunk) {
        for (int done = 0; done < length; ) {
            int s = stagingFor(length - done, sizes), n = Math.min(sizes[s], length - done);
            chunk.move(s, done, n);
            done += n;
        }
    }

    /** The smallest of {@code sizes} that holds {@code n}, else the largest. */
    private static int stagingFor(int n, int[] sizes) {
        for (int s = 0; s < sizes.length; s++) if (n <= sizes[s]) return s;
        return sizes.length - 1;
    }
}
