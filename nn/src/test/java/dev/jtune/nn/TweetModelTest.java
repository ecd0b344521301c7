package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bf16 pretrained tweet-gpt2-small loads and round-trips (its perplexity is checked in train's EvaluationTest). */
class TweetModelTest {

    private final Path modelDir = SharedFixtures.file("models/tweet-gpt2-small");

    @Test
    void savedAndReloadedGivesIdenticalLogits(@TempDir Path out) throws Exception {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        model.savePretrained(out);
        PreTrainedCausalLM reloaded = AutoModelForCausalLM.fromPretrained(out);
        Tensor ids = Tensor.ofLongs(new long[] {40, 1842, 428, 0, 318}, 1, 5);
        assertArrayEquals(model.logits(ids, null, null, null).toFloatArray(), reloaded.logits(ids, null, null, null).toFloatArray());
        assertEquals(model.numParameters(), reloaded.numParameters());
    }
}
