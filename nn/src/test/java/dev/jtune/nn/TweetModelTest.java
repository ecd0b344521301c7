package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bf16 pretrained tweet-gpt2-small: it loads, its perplexity on held-out tweets is sensible, and it round-trips. */
class TweetModelTest {

    private final Path modelDir = SharedFixtures.file("models/tweet-gpt2-small");

    @Test
    void perplexityOnHeldOutTweetsIsNearThePretrainingLoss() throws Exception {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(modelDir);
        List<int[]> sequences = new ArrayList<>();
        List<String> lines = Files.readAllLines(SharedFixtures.file("data/tweeteval-sentiment/validation.jsonl"));
        for (String line : lines.subList(0, 64)) {
            JsonNode row = ConfigJson.MAPPER.readTree(line);
            sequences.add(tokenizer.encode(row.get("text").asText()));
        }
        LanguageModelEvaluation.Result r = LanguageModelEvaluation.evaluate(model, sequences, 16, null);
        // The model's held-out loss on its pretraining tweets was 4.88; sentiment tweets are a different task.
        assertTrue(r.meanLoss() > 3.5 && r.meanLoss() < 6.5, "mean loss " + r.meanLoss());
        assertTrue(r.perplexity() < Math.exp(6.5));
    }

    @Test
    void savedAndReloadedGivesIdenticalLogits(@TempDir Path out) throws Exception {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        model.savePretrained(out);
        PreTrainedCausalLM reloaded = AutoModelForCausalLM.fromPretrained(out);
        Tensor ids = Tensor.ofLongs(new long[] {40, 1842, 428, 0, 318}, 1, 5);
        assertArrayEquals(model.logits(ids, null, null, null).toFloatArray(), reloaded.logits(ids, null, null, null).toFloatArray());
        assertEquals(model.numParameters(), reloaded.numParameters());
    }

    @Test
    void evaluationIsTokenWeightedAndIndependentOfBatching() throws Exception {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        List<int[]> seqs = List.of(new int[] {40, 1842, 428}, new int[] {1, 2, 3, 4, 5, 6, 7}, new int[] {9, 9});
        var batched = LanguageModelEvaluation.evaluate(model, seqs, 3, null);
        var single = LanguageModelEvaluation.evaluate(model, seqs, 1, null);
        assertEquals(2 + 6 + 1, batched.tokens());
        assertEquals(single.lossSum(), batched.lossSum(), 1e-4 * Math.abs(single.lossSum()));
    }
}
