package dev.jtune.tokenizer.model;

/**
 * The BPE merges as a hash map from a pair of token ids to the merge's rank (its line in merges.txt, lower merges
 * first) and the id of the merged token. Open addressing over primitive arrays: this lookup is the inner loop of
 * every cache miss, so it must not box.
 */
final class MergeTable {

    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedIds;
    private final int mask;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        mergedIds = new int[capacity];
        mask = capacity - 1;
    }

    /** Records that {@code left right} merges into {@code merged} with {@code rank}; a later put of the same pair wins. */
    void put(int left, int right, int rank, int merged) {
        long key = key(left, right);
        int slot = slot(key);
        keys[slot] = key;
        ranks[slot] = rank;
        mergedIds[slot] = merged;
    }

    /** The rank of the merge of {@code left right}, or {@code Integer.MAX_VALUE} when they do not merge. */
    int rank(int left, int right) {
        int slot = slot(key(left, right));
        return keys[slot] == EMPTY ? Integer.MAX_VALUE : ranks[slot];
    }

    /** The id that {@code left right} merge into; only valid when {@link #rank} found the pair. */
    int merged(int left, int right) {
        return mergedIds[slot(key(left, right))];
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int slot = (int) (h >>> 40) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }
}
