package dev.jtune.core.memory;

import dev.jtune.core.DType;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A backend's caching allocator for host arrays, like PyTorch's CPU/CUDA caching allocators: a released buffer goes
 * back to a free list of its element type, and a later request takes it instead of allocating. A training loop asks for
 * the same sizes every step, so after the first step it allocates nothing.
 *
 * <p>Size classes: a fresh buffer is allocated at its size rounded up to the next sixteenth of its power of two (as
 * PyTorch's {@code roundup_power2_divisions=16}: 12.2M elements become 12.6M, at most 6.25% more), and a request takes
 * the shortest cached buffer that is at least its size and at most half as long again. So sizes that change from step
 * to step (the logits of however many tokens carry a label in a batch: 195 to 334 rows in the walkthrough) share a few
 * buffers instead of allocating one per size. A buffer may therefore be longer than asked for: only its first
 * {@code size} elements are the tensor's.
 *
 * <p>The cache never holds more than the most this pool has had handed out at once (its peak working set): when
 * shapes vary from batch to batch beyond that, buffers not asked for lately are dropped, oldest first, so memory stays
 * within about twice a step's working set instead of one buffer per shape ever seen. Once it has dropped a working
 * set's worth it asks for a collection, since the JVM would otherwise grow the heap towards its ceiling rather than
 * reclaim large dead arrays in the old generation.
 *
 * <p>Arrays below {@link #MIN_POOLED_BYTES} are not cached and not rounded (a fresh small array is cheaper than a
 * lookup). When the heap cannot hold a new array, the cache is emptied and the allocation retried once; if it still
 * fails, a {@link TensorOutOfMemoryError} says what was being allocated and what to change.
 */
public final class BufferPool {

    /** Smaller buffers are allocated fresh and left to the garbage collector. */
    public static final int MIN_POOLED_BYTES = 16 * 1024;

    private static final long EVICTED_BEFORE_COLLECTION = 256L << 20;

    /**
     * Size classes per power of two: a fresh buffer is rounded up to the next sixteenth of its power of two. Few enough
     * that a size growing step by step (attention over a growing KV cache) reuses buffers; fine enough that parameters,
     * which are pooled too and live for the whole run, waste little (GPT-2 124M's training step peaks at 2.37 GiB;
     * 2.35 with exact sizes, 2.42 with eighths).
     */
    static final int DIVISIONS = 16;

    /** A request of {@code size} may take a cached buffer up to {@code size >> MAX_SLACK_SHIFT} longer: half again. */
    private static final int MAX_SLACK_SHIFT = 1;

    /**
     * Counters of one pool: requests served from the cache, fresh allocations, what the cache holds now, and the bytes
     * handed out and not given back (like {@code torch.cuda.memory_allocated()}; buffers left to the garbage collector
     * stay counted).
     */
    public record Stats(long hits, long misses, long cachedBytes, long freshBytes, long inUseBytes) {}

    private final Map<DType, TreeMap<Integer, ArrayDeque<Object>>> free = new EnumMap<>(DType.class);  // by length
    private final ArrayDeque<Cached> releaseOrder = new ArrayDeque<>();  // cached buffers, oldest release first
    private long outstandingBytes;  // handed out and not given back (buffers left to the GC stay counted)
    private long peakOutstandingBytes;
    private long evictedSinceCollection;
    private long hits;
    private long misses;
    private long cachedBytes;
    private long freshBytes;

    /**
     * An array of at least {@code size} elements of {@code dtype} (longer when it comes from a size class); its first
     * {@code size} elements are zero when {@code zeroed}, else arbitrary values.
     */
    public Object take(DType dtype, int size, boolean zeroed) {
        if (!pooled(dtype, size)) return allocateFresh(dtype, size, size);
        Object cached = takeCached(dtype, size);
        if (cached == null) return allocateFresh(dtype, sizeClass(size), size);
        if (zeroed) fillZero(cached, size);
        return cached;
    }

    /** {@code size} rounded up to the next sixteenth of its power of two: the length of a fresh pooled buffer. */
    static int sizeClass(int size) {
        int step = Math.max(1, Integer.highestOneBit(size - 1) / DIVISIONS);
        return (int) Math.min(Integer.MAX_VALUE - 8, ((long) size + step - 1) / step * step);
    }

    /** Returns {@code array} (of {@code dtype}) to the cache; its previous holder must no longer touch it. */
    public void give(DType dtype, Object array) {
        int size = java.lang.reflect.Array.getLength(array);
        if (!pooled(dtype, size)) return;
        synchronized (this) {
            var lengths = free.computeIfAbsent(dtype, d -> new TreeMap<>());
            lengths.computeIfAbsent(size, k -> new ArrayDeque<>()).push(array);
            releaseOrder.addLast(new Cached(dtype, array));
            cachedBytes += bytes(dtype, size);
            outstandingBytes -= bytes(dtype, size);
            while (cachedBytes > peakOutstandingBytes && !releaseOrder.isEmpty()) evictOldest();
        }
    }

    /** A cached buffer and its element type, in the order buffers were given back. */
    private record Cached(DType dtype, Object array) {}

    private void evictOldest() {
        Cached oldest = releaseOrder.pollFirst();
        int size = java.lang.reflect.Array.getLength(oldest.array());
        TreeMap<Integer, ArrayDeque<Object>> lengths = free.get(oldest.dtype());
        ArrayDeque<Object> list = lengths.get(size);
        if (list != null && list.removeFirstOccurrence(oldest.array())) {
            cachedBytes -= bytes(oldest.dtype(), size);
            if (list.isEmpty()) lengths.remove(size);
        }
        evictedSinceCollection += bytes(oldest.dtype(), size);
        if (evictedSinceCollection > Math.max(peakOutstandingBytes, EVICTED_BEFORE_COLLECTION)) {
            // Large dropped buffers live in the old generation, and the JVM grows the heap towards -Xmx rather than
            // collect it: collecting once per working set of dropped buffers keeps the heap at what is live.
            evictedSinceCollection = 0;
            System.gc();
        }
    }

    /** Forgets the release-order entry of a buffer taken from the cache (searched from the newest end). */
    private void forgetReleased(Object array) {
        for (var it = releaseOrder.descendingIterator(); it.hasNext(); ) {
            if (it.next().array() == array) {
                it.remove();
                return;
            }
        }
    }

    /** Drops every cached buffer so the garbage collector can reclaim it (like {@code torch.cuda.empty_cache()}). */
    public synchronized void emptyCache() {
        free.clear();
        releaseOrder.clear();
        cachedBytes = 0;
    }

    public synchronized Stats stats() {
        return new Stats(hits, misses, cachedBytes, freshBytes, outstandingBytes);
    }

    /**
     * The shortest cached buffer of at least {@code size} elements and at most half as many more, or null (a miss);
     * counts the request as handed out either way (a miss is allocated by the caller).
     */
    private synchronized Object takeCached(DType dtype, int size) {
        TreeMap<Integer, ArrayDeque<Object>> lengths = free.get(dtype);
        var fit = lengths == null ? null : lengths.ceilingEntry(size);
        if (fit == null || fit.getKey() > size + ((long) size >> MAX_SLACK_SHIFT)) {
            misses++;
            long fresh = bytes(dtype, sizeClass(size));
            freshBytes += fresh;
            handOut(fresh);
            return null;
        }
        hits++;
        Object array = fit.getValue().pop();
        if (fit.getValue().isEmpty()) lengths.remove(fit.getKey());
        cachedBytes -= bytes(dtype, fit.getKey());
        handOut(bytes(dtype, fit.getKey()));
        forgetReleased(array);
        return array;
    }

    private void handOut(long bytes) {
        outstandingBytes += bytes;
        peakOutstandingBytes = Math.max(peakOutstandingBytes, outstandingBytes);
    }

    /** A new array of {@code length} elements for a tensor of {@code size} (the size an out-of-memory error names). */
    private Object allocateFresh(DType dtype, int length, int size) {
        try {
            return newArray(dtype, length);
        } catch (OutOfMemoryError first) {
            emptyCache();
            System.gc();
            try {
                return newArray(dtype, length);
            } catch (OutOfMemoryError second) {
                throw new TensorOutOfMemoryError(dtype, size);
            }
        }
    }

    private static boolean pooled(DType dtype, int size) {
        return bytes(dtype, size) >= MIN_POOLED_BYTES;
    }

    static long bytes(DType dtype, long size) {
        return size * dtype.byteSize();
    }

    private static Object newArray(DType dtype, int size) {
        return switch (dtype) {
            case F32 -> new float[size];
            case F64 -> new double[size];
            case BF16, F16 -> new short[size];
            case I32 -> new int[size];
            case I64 -> new long[size];
            case BOOL -> new byte[size];
        };
    }

    private static void fillZero(Object array, int size) {
        switch (array) {
            case float[] a -> java.util.Arrays.fill(a, 0, size, 0f);
            case double[] a -> java.util.Arrays.fill(a, 0, size, 0d);
            case short[] a -> java.util.Arrays.fill(a, 0, size, (short) 0);
            case int[] a -> java.util.Arrays.fill(a, 0, size, 0);
            case long[] a -> java.util.Arrays.fill(a, 0, size, 0L);
            case byte[] a -> java.util.Arrays.fill(a, 0, size, (byte) 0);
            default -> throw new IllegalArgumentException("not a tensor array: " + array.getClass());
        }
    }
}
