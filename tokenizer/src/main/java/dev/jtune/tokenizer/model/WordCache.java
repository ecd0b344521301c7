package dev.jtune.tokenizer.model;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded, thread-safe map from a word to its token ids, looked up by a range of a {@code char[]} so that a hit
 * allocates nothing (a {@code ConcurrentHashMap<String, int[]>} needs a {@code String} per lookup). Open addressing
 * with linear probing over twice as many slots as words, so a probe sequence always ends at an empty slot. Entries are
 * never removed or replaced: a reader needs no lock, only the volatile read of a slot, and a writer claims an empty
 * slot with a compare-and-set. Once {@code capacity} words are held, further puts are dropped.
 */
final class WordCache {

    /** One cached word; immutable, so a reader that sees the reference sees the contents. */
    private record Entry(int hash, char[] word, int[] ids) {}

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;
    private final int capacity;
    private final AtomicInteger size = new AtomicInteger();

    /** @param capacity the most words held; the table takes twice that (rounded up to a power of two) in slots */
    WordCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("word cache capacity must be positive, got " + capacity);
        }
        int slotCount = Integer.highestOneBit(capacity * 2 - 1) << 1;
        slots = new AtomicReferenceArray<>(slotCount);
        mask = slotCount - 1;
        this.capacity = capacity;
    }

    /** The ids cached for {@code chars[start, end)}, or null. */
    int[] get(char[] chars, int start, int end) {
        int hash = hash(chars, start, end);
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Entry e = slots.get(i);
            if (e == null) {
                return null;
            }
            if (e.hash == hash && Arrays.equals(e.word, 0, e.word.length, chars, start, end)) {
                return e.ids;
            }
        }
    }

    /**
     * Caches {@code ids} (not copied; the caller must not change them) for {@code chars[start, end)} unless the cache
     * is full. When another thread caches the same word first, its ids stay; both are equal since tokenizing is a
     * function of the word.
     */
    void put(char[] chars, int start, int end, int[] ids) {
        if (size.get() >= capacity) {
            return;
        }
        int hash = hash(chars, start, end);
        Entry entry = null;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Entry e = slots.get(i);
            if (e == null) {
                if (size.incrementAndGet() > capacity) {
                    size.decrementAndGet();
                    return;
                }
                if (entry == null) {
                    entry = new Entry(hash, Arrays.copyOfRange(chars, start, end), ids);
                }
                if (slots.compareAndSet(i, null, entry)) {
                    return;
                }
                size.decrementAndGet(); // lost the slot to another writer: look at what it wrote
                e = slots.get(i);
            }
            if (e.hash == hash && Arrays.equals(e.word, 0, e.word.length, chars, start, end)) {
                return;
            }
        }
    }

    /** The number of words held. */
    int size() {
        return size.get();
    }

    /** {@link String#hashCode} of the chars, its bits then spread so that similar words land in distant slots. */
    private static int hash(char[] chars, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + chars[i];
        }
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
