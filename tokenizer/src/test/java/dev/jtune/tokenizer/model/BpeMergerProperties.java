package dev.jtune.tokenizer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The heap merger (long words) computes the same function as the reference scan, on random merges and words. */
class BpeMergerProperties {

    @Property(tries = 500)
    void heapAndScanMergeAlike(@ForAll @Size(max = 40) List<@IntRange(min = 0, max = 3) Integer> word,
                               @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 15) Integer> mergeSeeds) {
        // Symbols 0..3 are characters; merge r joins two existing symbols into new symbol 4 + r.
        MergeTable merges = new MergeTable(mergeSeeds.size());
        int symbols = 4;
        for (int r = 0; r + 1 < mergeSeeds.size(); r += 2) {
            int left = mergeSeeds.get(r) % symbols;
            int right = mergeSeeds.get(r + 1) % symbols;
            if (merges.rank(left, right) == Integer.MAX_VALUE) {
                merges.put(left, right, r, symbols++);
            }
        }
        int[] ids = word.stream().mapToInt(Integer::intValue).toArray();
        assertArrayEquals(BpeMerger.mergeByScan(ids.clone(), merges), BpeMerger.mergeByHeap(ids, merges));
    }
}
