package dev.jtune.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import org.junit.jupiter.api.Test;

/** The caching allocator: same-size reuse, and a cache bounded by the peak working set when sizes keep changing. */
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
    void withAnotherSizeEveryStepTheCacheStaysWithinThePeakWorkingSet() {
        BufferPool pool = new BufferPool();
        long peak = 0;
        for (int step = 1; step <= 40; step++) {  // like padding to the longest row: a new length each step
            Object x = pool.take(DType.F32, UNIT * step, false), y = pool.take(DType.F32, UNIT * step + 1, false);
            peak = Math.max(peak, 4L * (UNIT * step + UNIT * step + 1));
            pool.give(DType.F32, x);
            pool.give(DType.F32, y);
            assertTrue(pool.stats().cachedBytes() <= peak, "step " + step + ": " + pool.stats() + " > peak " + peak);
        }
        assertTrue(pool.stats().cachedBytes() > 0, "the latest step's buffers stay cached");
    }
}
