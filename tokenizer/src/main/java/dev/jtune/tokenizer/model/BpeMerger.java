package dev.jtune.tokenizer.model;

import java.util.Arrays;
import java.util.PriorityQueue;

/**
 * Applies BPE merges to a word's symbols: repeatedly merge the adjacent pair with the lowest rank, leftmost first,
 * until no pair merges. Two algorithms compute the same function: a quadratic scan that is fastest for the short
 * words of real text, and a heap over a linked list (Hugging Face's {@code Word::merge_all}) for long words.
 */
final class BpeMerger {

    /** Words with more symbols than this use the heap; below it the scan is faster. */
    static final int SCAN_LIMIT = 64;

    private BpeMerger() {}

    /** The merged symbols; {@code symbols} is used as scratch space (its contents are lost). */
    static int[] mergeAll(int[] symbols, MergeTable merges) {
        return symbols.length <= SCAN_LIMIT ? mergeByScan(symbols, merges) : mergeByHeap(symbols, merges);
    }

    /**
     * The reference algorithm: O(n^2) in the number of symbols, but it keeps each adjacent pair's rank in an array
     * and looks up only the two pairs a merge creates.
     */
    static int[] mergeByScan(int[] symbols, MergeTable merges) {
        int[] s = symbols.clone();
        int n = s.length;
        int[] ranks = new int[Math.max(0, n - 1)]; // ranks[i]: rank of the pair (s[i], s[i + 1])
        for (int i = 0; i + 1 < n; i++) {
            ranks[i] = merges.rank(s[i], s[i + 1]);
        }
        while (n > 1) {
            int best = Integer.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                if (ranks[i] < best) {
                    best = ranks[i];
                    at = i;
                }
            }
            if (at < 0) {
                break;
            }
            s[at] = merges.merged(s[at], s[at + 1]);
            System.arraycopy(s, at + 2, s, at + 1, n - at - 2);
            if (n - at - 3 > 0) {
                System.arraycopy(ranks, at + 2, ranks, at + 1, n - at - 3);
            }
            n--;
            if (at + 1 < n) {
                ranks[at] = merges.rank(s[at], s[at + 1]);
            }
            if (at > 0) {
                ranks[at - 1] = merges.rank(s[at - 1], s[at]);
            }
        }
        return n == s.length ? s : Arrays.copyOf(s, n);
    }

    /** O(n log n): candidate merges in a heap ordered by (rank, position); stale entries are skipped when popped. */
    static int[] mergeByHeap(int[] symbols, MergeTable merges) {
        int n = symbols.length;
        if (n == 0) {
            return symbols;
        }
        int[] id = symbols.clone();
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        boolean[] removed = new boolean[n];
        // entry = rank << 32 | position: the natural long order is (rank, leftmost)
        PriorityQueue<Long> heap = new PriorityQueue<>();
        for (int i = 0; i + 1 < n; i++) {
            offer(heap, merges, id, i, i + 1);
        }
        while (!heap.isEmpty()) {
            long top = heap.poll();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (removed[pos] || next[pos] < 0 || merges.rank(id[pos], id[next[pos]]) != rank) {
                continue;
            }
            int right = next[pos];
            id[pos] = merges.merged(id[pos], id[right]);
            removed[right] = true;
            next[pos] = next[right];
            if (next[pos] >= 0) {
                prev[next[pos]] = pos;
                offer(heap, merges, id, pos, next[pos]);
            }
            if (prev[pos] >= 0) {
                offer(heap, merges, id, prev[pos], pos);
            }
        }
        int[] out = new int[n];
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            out[count++] = id[i];
        }
        return Arrays.copyOf(out, count);
    }

    private static void offer(PriorityQueue<Long> heap, MergeTable merges, int[] id, int left, int right) {
        int rank = merges.rank(id[left], id[right]);
        if (rank != Integer.MAX_VALUE) {
            heap.add(((long) rank << 32) | left);
        }
    }
}
