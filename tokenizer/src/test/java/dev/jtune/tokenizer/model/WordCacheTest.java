package dev.jtune.tokenizer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class WordCacheTest {

    @Test
    void aWordIsFoundByAnyCharRangeHoldingIt() {
        WordCache cache = new WordCache(8);
        int[] ids = {1, 2};
        cache.put("xxĠhelloyy".toCharArray(), 2, 8, ids);
        assertSame(ids, cache.get("Ġhello".toCharArray(), 0, 6));
        assertSame(ids, cache.get("..Ġhello".toCharArray(), 2, 8));
    }

    @Test
    void aMissIsNullForUnseenWordsPrefixesAndExtensions() {
        WordCache cache = new WordCache(8);
        cache.put("hello".toCharArray(), 0, 5, new int[] {7});
        assertNull(cache.get("hell".toCharArray(), 0, 4));
        assertNull(cache.get("hellos".toCharArray(), 0, 6));
        assertNull(cache.get("world".toCharArray(), 0, 5));
    }

    @Test
    void aSecondPutOfTheSameWordKeepsTheFirstIds() {
        WordCache cache = new WordCache(8);
        int[] first = {1};
        cache.put("a".toCharArray(), 0, 1, first);
        cache.put("a".toCharArray(), 0, 1, new int[] {1});
        assertSame(first, cache.get("a".toCharArray(), 0, 1));
        assertEquals(1, cache.size());
    }

    @Test
    void putsBeyondTheCapacityAreDropped() {
        WordCache cache = new WordCache(3);
        for (int w = 0; w < 10; w++) {
            cache.put(("w" + w).toCharArray(), 0, 2, new int[] {w});
        }
        assertEquals(3, cache.size());
        for (int w = 0; w < 10; w++) {
            int[] ids = cache.get(("w" + w).toCharArray(), 0, 2);
            if (w < 3) {
                assertArrayEquals(new int[] {w}, ids);
            } else {
                assertNull(ids);
            }
        }
    }

    @Test
    void fourThreadsFillingOneCacheEachSeeEveryWordsOwnIds() throws Exception {
        int words = 20_000;
        WordCache cache = new WordCache(words / 2); // fills up midway, so the bound is raced for too
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> mismatches = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                mismatches.add(pool.submit(() -> {
                    int bad = 0;
                    for (int k = 0; k < words; k++) {
                        int w = (k * 7919 + seed * 4999) % words; // each thread in its own order
                        char[] word = ("word" + w).toCharArray();
                        int[] ids = cache.get(word, 0, word.length);
                        if (ids == null) {
                            cache.put(word, 0, word.length, new int[] {w, -w});
                            ids = cache.get(word, 0, word.length);
                        }
                        if (ids != null && (ids[0] != w || ids[1] != -w)) {
                            bad++;
                        }
                    }
                    return bad;
                }));
            }
            for (Future<Integer> f : mismatches) {
                assertEquals(0, f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(words / 2, cache.size());
    }
}
