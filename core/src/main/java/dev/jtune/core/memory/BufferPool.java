package dev.jtune.core.memory;

import dev.jtune.core.DType;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A backend's caching allocator for host arrays, like PyTorch's CPU/CUDA caching allocators: a released buffer goes
 * back to a free list keyed by its element type and exact length, and the next request of that size takes it instead
 * of allocating. A training loop asks for the same sizes every step, so after the first step it allocates nothing.
 *
 * <p>The cache never holds more than the most this pool has had handed out at once (its peak working set): when
 * shapes vary from batch to batch (padding to the longest row), buffers of sizes not asked for lately are dropped,
 * oldest first, so memory stays within about twice a step's working set instead of one buffer per shape ever seen.
 * Once it has dropped a working set's worth it asks for a collection, since the JVM would otherwise grow the heap
 * towards its ceiling rather than reclaim large dead arrays in the old generation.
 *
 * <p>Arrays below {@link #MIN_POOLED_BYTES} are not cached (a fresh small array is cheaper than a lookup). When the
 * heap cannot hold a new array, the cache is emptied and the allocation retried once; if it still fails, a
 * {@link TensorOutOfMemoryError} says what was being allocated and what to change.
 */
public final class BufferPool {

    /** Smaller buffers are allocated fresh and left to the garbage collector. */
    public static final int MIN_POOLED_BYTES = 16 * 1024;

    private static final long EVICTED_BEFORE_COLLECTION = 256L << 20;

    /**
     * Counters of one pool: requests served from the cache, fresh allocations, what the cache holds now, and the bytes
     * handed out and not given back (like {@code torch.cuda.memory_allocated()}; buffers left to the garbage collector
     * stay counted).
     */
    public record Stats(long hits, long misses, long cachedBytes, long freshBytes, long inUseBytes) {}

    private final Map<Long, ArrayDeque<Object>> free = new HashMap<>();
    private final ArrayDeque<Cached> releaseOrder = new ArrayDeque<>();  // cached buffers, oldest release first
    private long outstandingBytes;  // handed out and not given back (buffers left to the GC stay counted)
    private long peakOutstandingBytes;
    private long evictedSinceCollection;
    private long hits;
    private long misses;
    private long cachedBytes;
    private long freshBytes;

    /** An array of {@code size} elements of {@code dtype}; zero-filled when {@code zeroed}, else arbitrary values. */
    public Object take(DType dtype, int size, boolean zeroed) {
        if (pooled(dtype, size)) {
            Object cached = takeCached(dtype, size);
            if (cached != null) {
                if (zeroed) fillZero(cached);
                return cached;
            }
        }
        return allocateFresh(dtype, size);
    }

    /** Returns {@code array} (of {@code dtype}) to the cache; its previous holder must no longer touch it. */
    public void give(DType dtype, Object array) {
        int size = java.lang.reflect.Array.getLength(array);
        if (!pooled(dtype, size)) return;
        synchronized (this) {
            free.computeIfAbsent(key(dtype, size), k -> new ArrayDeque<>()).push(array);
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
        ArrayDeque<Object> list = free.get(key(oldest.dtype(), size));
        if (list != null && list.removeFirstOccurrence(oldest.array())) cachedBytes -= bytes(oldest.dtype(), size);
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

    private synchronized Object takeCached(DType dtype, int size) {
        ArrayDeque<Object> list = free.get(key(dtype, size));
        outstandingBytes += bytes(dtype, size);
        peakOutstandingBytes = Math.max(peakOutstandingBytes, outstandingBytes);
        if (list == null || list.isEmpty()) {
            misses++;
            freshBytes += bytes(dtype, size);
            return null;
        }
        hits++;
        cachedBytes -= bytes(dtype, size);
        Object array = list.pop();
        forgetReleased(array);
        return array;
    }

    private Object allocateFresh(DType dtype, int size) {
        try {
            return newArray(dtype, size);
        } catch (OutOfMemoryError first) {
            emptyCache();
            System.gc();
            try {
                return newArray(dtype, size);
            } catch (OutOfMemoryError second) {
                throw new TensorOutOfMemoryError(dtype, size);
            }
        }
    }

    private static boolean pooled(DType dtype, int size) {
        return bytes(dtype, size) >= MIN_POOLED_BYTES;
    }

    private static long key(DType dtype, int size) {
        return ((long) dtype.ordinal() << 32) | size;
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

    private static void fillZero(Object array) {
        switch (array) {
            case float[] a -> java.util.Arrays.fill(a, 0f);
            case double[] a -> java.util.Arrays.fill(a, 0d);
            case short[] a -> java.util.Arrays.fill(a, (short) 0);
            case int[] a -> java.util.Arrays.fill(a, 0);
            case long[] a -> java.util.Arrays.fill(a, 0L);
            case byte[] a -> java.util.Arrays.fill(a, (byte) 0);
            default -> throw new IllegalArgumentException("not a tensor array: " + array.getClass());
        }
    }
}
