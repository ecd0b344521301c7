package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Generation: the KV cache changes nothing, left-padded batches equal single prompts, sampling is seeded. */
class GenerationTest {

    private final GPT2LMHeadModel gpt2 = new GPT2LMHeadModel(GPT2Config.builder()
            .vocabSize(37).nPositions(32).nEmbd(16).nLayer(2).nHead(4).build(), 3);
    private final LlamaForCausalLM llama = new LlamaForCausalLM(LlamaConfig.builder()
            .vocabSize(37).hiddenSize(16).intermediateSize(24).numHiddenLayers(2)
            .numAttentionHeads(4).numKeyValueHeads(2).build(), 5);

    @Test
    void greedyTokensAreTheSameWithAndWithoutTheKvCache() {
        for (PreTrainedCausalLM model : List.of(gpt2, llama)) {
            GenerationConfig greedy = GenerationConfig.greedy(12, -1);
            int[] cached = Generation.generate(model, new int[] {4, 8, 15}, greedy, null);
            int[] recomputed = Generation.generate(model, new int[] {4, 8, 15}, greedy.withCache(false), null);
            assertEquals(12, cached.length);
            assertArrayEquals(recomputed, cached, model.getClass().getSimpleName());
        }
    }

    @Test
    void leftPaddedBatchGivesTheSameTokensAsEachPromptAlone() {
        for (PreTrainedCausalLM model : List.of(gpt2, llama)) {
            GenerationConfig greedy = GenerationConfig.greedy(6, -1);
            int[][] prompts = {{3, 1, 4, 1, 5}, {9, 2}};
            int[][] batched = Generation.generate(model, prompts, greedy, null);
            for (int r = 0; r < prompts.length; r++) {
                assertArrayEquals(Generation.generate(model, prompts[r], greedy, null), batched[r]);
            }
        }
    }

    @Test
    void samplingIsReproducibleForASeedAndStreamsEveryToken() {
        GenerationConfig sample = GenerationConfig.sampling(10, -1, 99).withTemperature(0.8).withTopP(0.9);
        List<Integer> streamed = new ArrayList<>();
        int[] a = Generation.generate(gpt2, new int[] {1, 2}, sample, (row, id) -> streamed.add(id));
        int[] b = Generation.generate(gpt2, new int[] {1, 2}, sample, null);
        assertArrayEquals(a, b);
        assertEquals(10, streamed.size());
        assertArrayEquals(a, streamed.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void generationStopsAfterTheEosToken() {
        int[] free = Generation.generate(gpt2, new int[] {1}, GenerationConfig.greedy(8, -1), null);
        int eos = free[2];
        int[] stopped = Generation.generate(gpt2, new int[] {1}, GenerationConfig.greedy(8, eos), null);
        int firstEos = 0;
        while (free[firstEos] != eos) firstEos++;
        assertEquals(firstEos + 1, stopped.length);
        assertEquals(eos, stopped[stopped.length - 1]);
    }

    @Test
    void topKOneIsGreedy() {
        GenerationConfig topOne = GenerationConfig.sampling(8, -1, 5).withTopK(1);
        assertArrayEquals(Generation.generate(llama, new int[] {7}, GenerationConfig.greedy(8, -1), null),
                Generation.generate(llama, new int[] {7}, topOne, null));
    }

    @Test
    void logitsProcessorsFollowTransformers() {
        float[] l = {2f, -2f, 1f, 0.5f};
        LogitsProcessing.repetitionPenalty(l, new int[] {0, 1, 0}, 3, 2);
        assertArrayEquals(new float[] {1f, -4f, 1f, 0.5f}, l);
        float[] k = {1, 4, 3, 2};
        LogitsProcessing.topK(k, 2);
        assertArrayEquals(new float[] {Float.NEGATIVE_INFINITY, 4, 3, Float.NEGATIVE_INFINITY}, k);
        float[] p = {(float) Math.log(0.5), (float) Math.log(0.3), (float) Math.log(0.2)};
        LogitsProcessing.topP(p, 0.75);  // 0.5 + 0.3 reaches 0.75: the 0.2 token goes
        assertTrue(Float.isInfinite(p[2]) && !Float.isInfinite(p[1]));
    }

    @Test
    void promptsOutsideTheVocabularyOrTooLongFailClearly() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Generation.generate(gpt2, new int[] {40}, GenerationConfig.greedy(2, -1), null));
        assertTrue(e.getMessage().contains("token id 40"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Generation.generate(gpt2, new int[] {1}, GenerationConfig.greedy(40, -1), null));
    }
}
