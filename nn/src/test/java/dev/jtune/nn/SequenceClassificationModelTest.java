package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sequence classifiers on both architectures: transformers' names and config fields, the pooling rule (rightmost id
 * that is not the pad id; position 0 for a row of padding; the last position and a single row without a pad id), and
 * a save/load round trip that gives identical scores. (The GPT-2 rewards and gradients against a reference are in
 * train's RewardGoldenTest.)
 */
class SequenceClassificationModelTest {

    @TempDir
    Path out;

    @Test
    void aLlamaCheckpointBecomesALlamaForSequenceClassificationThatSavesAndLoadsBack() throws IOException {
        SequenceClassificationModel model = AutoModelForSequenceClassification.fromPretrained(
                SharedFixtures.file("fixtures/hf/tiny-llama/model"), 3, 5);
        assertEquals("LlamaForSequenceClassification", model.architecture());
        Map<String, Parameter> params = model.namedParameters();
        assertTrue(params.keySet().stream().allMatch(k -> k.startsWith("model.") || k.equals("score.weight")), params.keySet().toString());
        assertArrayEquals(new int[] {3, model.config().toJson().get("hidden_size").asInt()}, params.get("score.weight").shape());
        model.setPadTokenId(0);
        Tensor ids = Tensor.ofLongs(new long[] {5, 6, 7, 0, 0, 8, 9, 10, 11, 12}, 2, 5);
        Tensor scores = model.logits(ids, null);
        assertArrayEquals(new int[] {2, 3}, scores.shape());

        model.savePretrained(out);
        JsonNode config = ConfigJson.MAPPER.readTree(out.resolve("config.json").toFile());
        assertEquals("LlamaForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals("LABEL_2", config.get("id2label").get("2").asText());
        assertEquals(1, config.get("label2id").get("LABEL_1").asInt());
        assertEquals(0, config.get("pad_token_id").asInt());
        assertTrue(Checkpoints.loadTensors(out).keySet().stream().noneMatch(k -> k.startsWith("lm_head")));
        SequenceClassificationModel loaded = AutoModelForSequenceClassification.fromPretrained(out);
        assertEquals(3, loaded.numLabels());
        assertArrayEquals(scores.toFloatArray(), loaded.logits(ids, null).toFloatArray());
    }

    @Test
    void theScoreIsReadAtTheRightmostIdThatIsNotThePadId() {
        Tensor ids = Tensor.ofLongs(new long[] {
            4, 5, 9, 9,   // ordinary right padding: position 1
            9, 9, 9, 9,   // all padding: position 0
            4, 9, 5, 9,   // a pad id inside the row: still the rightmost non-pad, position 2
            4, 5, 6, 7}, 4, 4);
        assertArrayEquals(new int[] {1, 0, 2, 3}, SequenceClassificationModel.pooledIndex(ids, 9));
    }

    @Test
    void withoutAPadIdOnlyOneRowIsAcceptedAndItsLastPositionIsRead() {
        assertArrayEquals(new int[] {2}, SequenceClassificationModel.pooledIndex(Tensor.ofLongs(new long[] {1, 2, 3}, 1, 3), -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SequenceClassificationModel.pooledIndex(Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2), -1));
        assertTrue(e.getMessage().contains("Cannot handle batch sizes > 1 if no padding token is defined"), e.getMessage());
    }
}
