package dev.jtune.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator: same-size reuse, size classes that let nearby sizes share buffers, and a cache bounded by the
 * peak working set when sizes keep changing.
 */
class BufferPoolTest {

    private static final int UNIT = 8192;  // 32 KiB of F32, above the pooling threshold

    @Test
    void aBufferGivenBackIsTakenAgainForTheSameSize() {
        BufferPool pool = new BufferPool();
        Object a = pool.take(DType.F32, UNIT, true);
        pool.give(DType.F32, a);
        assertSame(a, pool.take(DType.F32, UNIT, false));
        assertEquals(1, pool.stats().hits());
    }

    @Test
    void freshBuffersAreRoundedUpToTheNextSixteenthOfTheirPowerOfTwo() {
        assertEquals(8192, BufferPool.sizeClass(8192));
        assertEquals(8704, BufferPool.sizeClass(8193));
        assertEquals(12_582_912, BufferPool.sizeClass(12_212_694));  // 24/16 of 2^23: a tweet batch's logits
        assertEquals(Integer.MAX_VALUE - 8, BufferPool.sizeClass(Integer.MAX_VALUE - 8));
    }

    @Test
    void aSomewhatSmallerRequestTakesACachedBufferAndZeroesOnlyWhatItAskedFor() {
        BufferPool pool = new BufferPool();
        float[] a = (float[]) pool.take(DType.F32, UNIT + 1, false);
        assertEquals(UNIT + UNIT / 16, a.length);
        java.util.Arrays.fill(a, 1f);
        pool.give(DType.F32, a);
        assertSame(a, pool.take(DType.F32, UNIT - 7, true));
        for (int i = 0; i < a.length; i++) assertEquals(i < UNIT - 7 ? 0f : 1f, a[i], "element " + i);
        assertEquals(1, pool.stats().hits());
    }

    @Test
    void aBufferMoreThanHalfAsLongAgainAsTheRequestIsLeftCached() {
        BufferPool pool = new BufferPool();
        Object a = pool.take(DType.F32, 4 * UNIT, false);
        pool.give(DType.F32, a);
        assertNotSame(a, pool.take(DType.F32, 2 * UNIT, false));
        assertEquals(0, pool.stats().hits());
        assertSame(a, pool.take(DType.F32, 4 * UNIT - 1, false));
    }

    @Test
    void logitsOfAVaryingNumberOfLabelledTokensShareAFewBuffers() {
        // Like the walkthrough's [labelled tokens, vocabulary] logits and their log-probabilities: a new row count
        // (230..256) every micro-batch. Keyed by exact size, nearly every step would allocate both afresh.
        BufferPool pool = new BufferPool();
        Random rnd = new Random(3);
        for (int step = 0; step < 50; step++) {
            int size = (230 + rnd.nextInt(27)) * 500;
            Object logits = pool.take(DType.F32, size, false), logProbs = pool.take(DType.F32, size, false);
            pool.give(DType.F32, logits);
            pool.give(DType.F32, logProbs);
        }
        assertTrue(pool.stats().misses() <= 6, pool.stats().toString());
    }

    @Test
    void withAnotherSizeEveryStepTheCacheStaysWithinThePeakWorkingSet() {
        BufferPool pool = new BufferPool();
        long peak = 0;
        for (int step = 1; step <= 40; step++) {  // like padding to the longest row: a new length each step
            Object x = pool.take(DType.F32, UNIT * step, false), y = pool.take(DType.F32, UNIT * step + 1, false);
            peak = Math.max(peak, 4L * (BufferPool.sizeClass(UNIT * step) + BufferPool.sizeClass(UNIT * step + 1)));
            pool.give(DType.F32, x);
            pool.give(DType.F32, y);
            assertTrue(pool.stats().cachedBytes() <= peak, "step " + step + ": " + pool.stats() + " > peak " + peak);
        }
        assertTrue(pool.stats().cachedBytes() > 0, "the latest step's buffers stay cached");
    }
}
