package dev.jtune.tornado;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * First-fit allocation of regions inside one flat arena of {@code capacity} elements (the device heap or the int
 * arena): host-side bookkeeping only, the arena itself lives on the device.
 *
 * <p>Regions are rounded up to {@link #ALIGN} elements, so every region starts on a 64-byte boundary. Free blocks are
 * kept by start offset and merged with their neighbours when a region is freed, so a freed arena is one block again.
 */
final class ArenaAllocator {

    /** Every region's start and length are multiples of this many elements. */
    static final int ALIGN = 16;

    private final String name;
    private final String unit;
    private final long capacity;
    private final String raiseHint;
    /** start -> length of each free block, no two adjacent. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    /** start -> length of each allocated region. */
    private final Map<Long, Long> used = new HashMap<>();
    private long inUse;

    /**
     * @param name the arena, for error messages ("device heap")
     * @param unit what its elements are, for error messages ("floats")
     * @param capacity elements in the arena
     * @param raiseHint how to get a larger arena, appended to the out-of-memory message
     */
    ArenaAllocator(String name, String unit, long capacity, String raiseHint) {
        this.name = name;
        this.unit = unit;
        this.capacity = capacity;
        this.raiseHint = raiseHint;
        long usable = capacity / ALIGN * ALIGN;
        if (usable > 0) free.put(0L, usable);
    }

    /** The start of a new region of at least {@code n} elements; {@link OutOfMemoryError} when none is free. */
    int allocate(long n) {
        if (n < 0) throw new IllegalArgumentException(name + ": negative allocation of " + n + " elements");
        long size = Math.max(ALIGN, (n + ALIGN - 1) / ALIGN * ALIGN);
        for (Map.Entry<Long, Long> block : free.entrySet()) {
            // Key and length are read before the removal: TreeMap may reuse a removed entry's object for its successor.
            long start = block.getKey(), length = block.getValue();
            if (length < size) continue;
            free.remove(start);
            if (length > size) free.put(start + size, length - size);
            used.put(start, size);
            inUse += size;
            return (int) start;
        }
        throw new OutOfMemoryError(String.format(Locale.ROOT,
                "%s full: cannot allocate %,d %s with %,d of its %,d in use (no free block large enough); %s",
                name, n, unit, inUse, capacity, raiseHint));
    }

    /** Returns the region starting at {@code start} (from {@link #allocate}) to the free list. */
    void free(int start) {
        Long size = used.remove((long) start);
        if (size == null) throw new IllegalArgumentException(name + ": no region starts at " + start);
        inUse -= size;
        long from = start, length = size;
        Map.Entry<Long, Long> before = free.floorEntry(from);
        if (before != null && before.getKey() + before.getValue() == from) {
            free.remove(before.getKey());
            from = before.getKey();
            length += before.getValue();
        }
        Long after = free.remove(from + length);
        if (after != null) length += after;
        free.put(from, length);
    }

    /** Elements held by allocated regions (after rounding). */
    long inUse() {
        return inUse;
    }

    long capacity() {
        return capacity;
    }
}
