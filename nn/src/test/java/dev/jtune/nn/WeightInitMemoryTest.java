package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.memory.BufferPool;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import org.junit.jupiter.api.Test;

/** A random init keeps only the weights: each normal draw is scaled in place, with no second buffer. */
class WeightInitMemoryTest {

    @Test
    void normalInitHoldsOnlyTheWeight() {
        var pool = Backends.current().buffers();
        long before = pool.stats().inUseBytes();
        Tensor w = Layers.normal(new Generator(3), 0.02, 96, 128);
        assertEquals(4L * 96 * 128, pool.stats().inUseBytes() - before, "pooled bytes in use: the weight only");
        Tensor again = Tensor.randn(new Generator(3), DType.F32, 96, 128).mul(0.02);
        assertArrayEquals(again.toFloatArray(), w.toFloatArray(), "same values as drawing and scaling");
    }

    @Test
    void aRandomModelHoldsItsParametersAndNothingElse() {
        var pool = Backends.current().buffers();
        long before = pool.stats().inUseBytes(), cachedBefore = pool.stats().cachedBytes();
        var model = new GPT2LMHeadModel(GPT2Config.preset("gpt2-16m"), 1);
        assertTrue(pool.stats().cachedBytes() <= cachedBefore, "the init left buffers in the pool's cache: "
                + cachedBefore + " -> " + pool.stats().cachedBytes() + " bytes");
        long pooledParameterBytes = model.namedParameters().values().stream()  // their buffers: of size classes
                .filter(p -> p.value().numel() * 4L >= BufferPool.MIN_POOLED_BYTES)
                .mapToLong(p -> p.value().storage().floats().length * 4L)
                .sum();
        assertEquals(pooledParameterBytes, pool.stats().inUseBytes() - before, "pooled bytes in use after the init");
    }
}
