package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.CausalLMLoss;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.data.DataCollatorForLanguageModeling;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.ModelInputs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one evaluation loop: its loss is the exact mean over all predicted tokens, whatever the batching. */
class EvaluationTest {

    private static final DataCollatorForLanguageModeling COLLATOR = new DataCollatorForLanguageModeling(0);

    private static Evaluation.Result evaluate(PreTrainedCausalLM model, Dataset rows, int batchSize) {
        return Evaluation.run(model, DataLoader.sequential(rows, batchSize, COLLATOR), null, false, null);
    }

    @Test
    void lossIsTheMeanOverEveryPredictedTokenWhateverTheBatchSize() {
        GPT2LMHeadModel model = TinyModels.gpt2(3, 0.1);
        Dataset rows = TinyModels.rows(7, 9, 5);
        double sum = 0;
        long tokens = 0;
        for (int i = 0; i < rows.size(); i++) {  // each row alone, no padding
            int[] ids = (int[]) rows.get(i).get("input_ids");
            Tensor t = Tensor.ofLongs(java.util.Arrays.stream(ids).asLongStream().toArray(), 1, ids.length);
            model.eval();
            sum += CausalLMLoss.sum(model.logits(t, null, null, null), t).item();
            tokens += ids.length - 1;
        }
        for (int batchSize : new int[] {1, 3, 7}) {
            Evaluation.Result r = evaluate(model, rows, batchSize);
            assertEquals(tokens, r.tokens(), "batch size " + batchSize);
            assertEquals(sum / tokens, r.loss(), 1e-6 * sum / tokens, "batch size " + batchSize);
        }
    }

    @Test
    void rowsWithNothingToPredictAreRefused() {
        Dataset rows = Dataset.fromColumns(Map.of("input_ids", List.of(new int[] {4}, new int[] {7})));
        var e = assertThrows(IllegalArgumentException.class, () -> evaluate(TinyModels.gpt2(1, 0), rows, 2));
        assertTrue(e.getMessage().startsWith("nothing to evaluate"), e.getMessage());
    }

    @Test
    void perplexityOfTheTweetModelOnHeldOutTweetsIsNearItsPretrainingLoss() throws Exception {
        Path modelDir = SharedFixtures.file("models/tweet-gpt2-small");
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(modelDir);
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(modelDir);
        List<Object> ids = new ArrayList<>();
        List<String> lines = Files.readAllLines(SharedFixtures.file("data/tweeteval-sentiment/validation.jsonl"));
        for (String line : lines.subList(0, 64)) {
            JsonNode row = new ObjectMapper().readTree(line);
            ids.add(tokenizer.encode(row.get("text").asText()));
        }
        Evaluation.Result r = evaluate(model, Dataset.fromColumns(Map.of("input_ids", ids)), 16);
        // The model's held-out loss on its pretraining tweets was 4.88; sentiment tweets are a different task.
        assertTrue(r.loss() > 3.5 && r.loss() < 6.5, "mean loss " + r.loss());
        assertEquals(Math.exp(r.loss()), r.perplexity(), 1e-9 * r.perplexity());
    }

    @Test
    void labelWordAccuracyPicksTheLabelTokenWithTheHighestLogitAfterEachPrompt() {
        GPT2LMHeadModel model = TinyModels.gpt2(4, 0);
        model.eval();
        List<int[]> prompts = List.of(new int[] {1, 2, 3}, new int[] {4}, new int[] {5, 6, 7, 8, 9}, new int[] {2, 2});
        int[] labelTokens = {10, 11, 12};
        int[] truth = {0, 2, 1, 1};
        long[] hits = new long[3], support = new long[3];
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int[] p = prompts.get(i);
            Tensor ids = Tensor.ofLongs(java.util.Arrays.stream(p).asLongStream().toArray(), 1, p.length);
            Tensor last = model.logits(ids, null, null, null).narrow(1, p.length - 1, 1).reshape(-1);  // (V)
            int predicted = 0;
            for (int c = 1; c < 3; c++) if (last.get(labelTokens[c]) > last.get(labelTokens[predicted])) predicted = c;
            support[truth[i]]++;
            if (predicted == truth[i]) hits[truth[i]]++;
            rows.add(LabelWordAccuracy.row(p, labelTokens[truth[i]], 16));
        }
        double accuracy = (hits[0] + hits[1] + hits[2]) / 4.0;
        double macroRecall = ((double) hits[0] / support[0] + (double) hits[1] / support[1]
                + (double) hits[2] / support[2]) / 3;
        for (int batchSize : new int[] {1, 3}) {
            DataLoader loader = DataLoader.sequential(Dataset.fromRows(rows), batchSize, COLLATOR);
            LabelWordAccuracy metric = new LabelWordAccuracy(labelTokens);
            Evaluation.Result atLabels = Evaluation.run(model, loader, metric, false, null);  // the head at labels only
            assertEquals(Map.of("accuracy", accuracy, "macro_recall", macroRecall), metric.compute(),
                    "batch size " + batchSize);
            LabelWordAccuracy twin = new LabelWordAccuracy(labelTokens);
            Evaluation.Result full = Evaluation.run(model, loader, fullLogits(twin), false, null);  // full logits
            assertEquals(metric.compute(), twin.compute(), "batch size " + batchSize);
            assertEquals(Double.doubleToLongBits(full.lossSum()), Double.doubleToLongBits(atLabels.lossSum()),
                    "batch size " + batchSize);
        }
    }

    /** The metric as a plain {@link StreamingMetrics}: the evaluation hands it the full logits. */
    private static StreamingMetrics fullLogits(LabelWordAccuracy metric) {
        return new StreamingMetrics() {
            @Override
            public void update(Tensor logits, ModelInputs batch) {
                metric.update(logits, batch);
            }

            @Override
            public Map<String, Double> compute() {
                return metric.compute();
            }
        };
    }

    @Test
    void macroRecallIsSklearnsMeanOfPerClassRecallOverClassesPresent() {
        // predictions {0, 0, 1, 1, 1, 2} for labels {0, 0, 0, 1, 2, 2} (class 3 absent): recalls 2/3, 1, 1/2
        int[] tokens = {20, 21, 22, 23};
        int[] labels = {0, 0, 0, 1, 2, 2}, predictions = {0, 0, 1, 1, 1, 2};
        int v = 24;
        float[] logits = new float[6 * 2 * v];
        long[] labelIds = new long[6 * 2];
        for (int r = 0; r < 6; r++) {
            logits[(r * 2) * v + tokens[predictions[r]]] = 1;  // position 0 scores the predicted class highest
            labelIds[r * 2] = CausalLMLoss.IGNORE_INDEX;
            labelIds[r * 2 + 1] = tokens[labels[r]];
        }
        LabelWordAccuracy metric = new LabelWordAccuracy(tokens);
        Tensor labelTensor = Tensor.ofLongs(labelIds, 6, 2);
        metric.update(Tensor.of(logits, 6, 2, v), new ModelInputs(labelTensor, labelTensor, labelTensor));
        assertEquals(4.0 / 6, metric.compute().get("accuracy"), 1e-12);
        assertEquals((2.0 / 3 + 1 + 0.5) / 3, metric.compute().get("macro_recall"), 1e-12);
    }
}
