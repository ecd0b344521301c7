package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.backend.Backends;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Generation frees what it makes: each step's activations and logits go back to the pool when the step ends, the KV
 * cache's buffers when the call ends, so a second call reuses the first one's buffers and allocates none.
 */
class GenerationMemoryTest {

    @Test
    void aCallGivesEveryPooledBufferBackAndTheNextCallAllocatesNone() {
        var model = new GPT2LMHeadModel(GPT2Config.preset("gpt2-16m").toBuilder().dropout(0).build(), 1);
        var pool = Backends.current().buffers();
        int[] prompt = new int[48];
        Arrays.setAll(prompt, i -> (i * 7919) % 50257);
        GenerationConfig greedy = GenerationConfig.greedy(12, -1);

        long inUse = pool.stats().inUseBytes();
        int[] first = Generation.generate(model, prompt, greedy, null);
        assertEquals(inUse, pool.stats().inUseBytes(), "pooled bytes still handed out after the call");
        long misses = pool.stats().misses();
        int[] second = Generation.generate(model, prompt, greedy, null);
        assertEquals(misses, pool.stats().misses(), "fresh pooled buffers allocated by the second call");
        assertArrayEquals(first, second);
    }
}
