package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.backend.Backends;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The KV cache holds exactly the concatenation of what was appended, and cached decoding computes the same logits. */
class KVCacheTest {

    @Test
    void appendedStepsReadBackAsTheirConcatenationWhetherReservedOrGrown() {
        Generator g = new Generator(1);
        int[] steps = {3, 1, 1, 2, 1, 5, 1};  // 14 positions: a grown buffer doubles 3 -> 6 -> 12 -> 24
        for (int reserve : new int[] {0, 14}) {
            KVCache cache = new KVCache(2).reserve(reserve);
            List<Tensor> keys = new ArrayList<>(), values = new ArrayList<>();
            try (var scope = GradMode.noGrad()) {
                for (int t : steps) {
                    Tensor k = Tensor.randn(g, DType.F32, 2, 3, t, 4), v = Tensor.randn(g, DType.F32, 2, 3, t, 4);
                    keys.add(k);
                    values.add(v.transpose(2, 3).contiguous().transpose(2, 3));  // a strided input is fine too
                    cache.append(1, k, k);
                    Tensor[] kv = cache.append(0, k, values.getLast());
                    assertArrayEquals(Tensor.cat(keys, 2).toFloatArray(), kv[0].toFloatArray());
                    assertArrayEquals(Tensor.cat(values, 2).toFloatArray(), kv[1].toFloatArray());
                    assertArrayEquals(new int[] {2, 3, cache.length(), 4}, kv[0].shape());
                }
            }
            assertEquals(14, cache.length(), "reserve " + reserve);
        }
    }

    /**
     * A sliding window keeps the cache bounded during a generation too: each buffer that a window's drop replaces
     * goes back to the pool at once, not when the generation's scope closes (it piled up there, one buffer per W
     * tokens, so a long generation held more than a cache without a window).
     */
    @Test
    void aWindowedCacheHoldsABoundedAmountOfMemoryInsideItsScope() {
        var pool = Backends.current().buffers();
        Generator g = new Generator(3);
        int window = 16;  // buffers of 2 * 16 positions x 8 heads x 64: 64 KiB, pooled
        try (var noGrad = GradMode.noGrad(); var generation = MemoryScope.open()) {
            KVCache cache = new KVCache(1).reserve(200).withWindow(0, window);
            long[] inUse = new long[200];
            Tensor[] kv = null;
            for (int step = 0; step < inUse.length; step++) {
                try (var stepScope = MemoryScope.open()) {
                    Tensor k = Tensor.randn(g, DType.F32, 1, 8, 1, 64);
                    kv = cache.append(0, k, k);
                    inUse[step] = pool.stats().inUseBytes();
                }
            }
            assertEquals(inUse[40], inUse[inUse.length - 1], "pooled bytes grew with the generated length");
            assertEquals(200, cache.length());
            assertTrue(kv[0].size(2) <= 2 * window, "kept " + kv[0].size(2) + " positions");
        }
    }

    @Test
    void gradientsFlowThroughTheCacheWhenGradModeIsOn() {
        Generator g = new Generator(2);
        Tensor k1 = Tensor.randn(g, DType.F64, 1, 2, 3, 4).requiresGrad(true);
        Tensor k2 = Tensor.randn(g, DType.F64, 1, 2, 1, 4).requiresGrad(true);
        KVCache cache = new KVCache(1);
        cache.append(0, k1.mul(1), k1.mul(1));
        Tensor keys = cache.append(0, k2.mul(1), k2.mul(1))[0];   // (1, 2, 4, 4)
        Tensor weights = Tensor.arange(0, 32, 1, DType.F64).reshape(1, 2, 4, 4);
        keys.mul(weights).sum().backward();
        assertArrayEquals(weights.narrow(2, 0, 3).contiguous().toDoubleArray(), k1.grad().toDoubleArray());
        assertArrayEquals(weights.narrow(2, 3, 1).contiguous().toDoubleArray(), k2.grad().toDoubleArray());
    }

    @Test
    void cachedDecodingGivesTheLogitsOfTheWholeSequenceAtEveryStep() {
        List<PreTrainedCausalLM> models = List.of(new GPT2LMHeadModel(GPT2Config.builder().vocabSize(37).nPositions(32).nEmbd(16).nLayer(2).nHead(4).build(), 3),
                new LlamaForCausalLM(LlamaConfig.builder().vocabSize(37).hiddenSize(16).intermediateSize(24)
                        .numHiddenLayers(2).numAttentionHeads(4).numKeyValueHeads(2).build(), 5));
        long[] ids = {4, 8, 15, 16, 23, 5, 7, 1, 30, 2};
        int prompt = 4;
        for (PreTrainedCausalLM model : models) {
            model.eval();
            try (var scope = GradMode.noGrad()) {
                KVCache cache = model.newCache();
                Tensor first = model.logits(Tensor.ofLongs(Arrays.copyOf(ids, prompt), 1, prompt), null,
                        null, cache, 1);
                assertLastLogitsMatch(model, ids, prompt, first);
                for (int len = prompt + 1; len <= ids.length; len++) {
                    Tensor step = model.logits(Tensor.ofLongs(new long[] {ids[len - 1]}, 1, 1), null, null, cache);
                    assertLastLogitsMatch(model, ids, len, step);
                }
            }
        }
    }

    @Test
    void logitsToKeepGivesTheLastPositionsOfTheFullLogits() {
        GPT2LMHeadModel model = new GPT2LMHeadModel(GPT2Config.builder().vocabSize(37).nPositions(32).nEmbd(16).nLayer(2).nHead(4).build(), 3);
        Tensor ids = Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 5);
        model.eval();  // no dropout
        try (var scope = GradMode.noGrad()) {
            Tensor all = model.logits(ids, null, null, null);  // (2, 5, 37)
            Compare.assertClose("last 2", model.logits(ids, null, null, null, 2), all.narrow(1, 3, 2), 1e-6);
            assertArrayEquals(all.toFloatArray(), model.logits(ids, null, null, null, 9).toFloatArray());
        }
        assertThrows(IllegalArgumentException.class, () -> model.logits(ids, null, null, null, -1));
    }

    /** {@code logits [1, 1, V]} of a cached step against the last row of the uncached logits of {@code ids[0..len)}. */
    private static void assertLastLogitsMatch(PreTrainedCausalLM model, long[] ids, int len, Tensor logits) {
        Tensor full = model.logits(Tensor.ofLongs(Arrays.copyOf(ids, len), 1, len), null, null, null);
        Compare.assertClose(model.getClass().getSimpleName() + " position " + (len - 1), logits,
                full.narrow(1, len - 1, 1), 1e-5);
    }
}
