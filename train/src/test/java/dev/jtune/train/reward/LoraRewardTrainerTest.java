package dev.jtune.train.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.nn.peft.PeftModelForSequenceClassification;
import dev.jtune.train.IntervalStrategy;
import dev.jtune.train.SamplingStrategy;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.optim.SchedulerType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward trainer with LoRA (TRL's {@code peft_config}) on {@code shared/fixtures/ref/reward-gpt2}: the fresh
 * adapter's score gradient against the reference full model's, what trains and what AdamW keeps, the adapter in
 * checkpoints and the output folder, and a bit-exact resume from a checkpoint.
 */
class LoraRewardTrainerTest {

    private static final String DIR = "fixtures/ref/reward-gpt2";

    @TempDir
    Path out;

    private static SequenceClassificationModel reward() throws IOException {
        return AutoModelForSequenceClassification.fromPretrained(SharedFixtures.file(DIR));
    }

    private static LoraConfig lora() {
        return LoraConfig.builder().r(4).loraAlpha(8).build();
    }

    /**
     * With B = 0 the adapter adds nothing, so the score head sees the full model's hidden states: its gradient is the
     * reference's ({@code grads.safetensors}, float64 transformers) to the 1e-4 of {@link RewardGoldenTest}; nothing
     * of the frozen body gets one.
     */
    @Test
    void aFreshAdaptersScoreGradientIsTheReferenceFullModels() throws IOException {
        JsonNode batch = RewardGoldenTest.json("pairs.json").get("batch");
        PeftModelForSequenceClassification peft = PeftModelForSequenceClassification.getPeftModel(reward(), lora());
        Tensor rewards = peft.logits(RewardGoldenTest.longs(batch.get("input_ids")),
                RewardGoldenTest.longs(batch.get("attention_mask")));
        RewardLoss.compute(rewards, null, 0).loss().backward();
        float[] expected = Checkpoints.loadFile(SharedFixtures.file(DIR + "/grads.safetensors")).get("score.weight")
                .toFloatArray();
        float[] actual = peft.namedParameters().get("base_model.model.score.weight").grad().toFloatArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(diff / scale < 1e-4, "score.weight gradient: relative error " + diff / scale);
        peft.namedParameters().forEach((name, p) -> {
            if (!p.requiresGrad()) assertNull(p.grad(), name);
        });
    }

    private TrainingArguments.Builder args(String dir) {
        return RewardConfig.defaultArguments().outputDir(out.resolve(dir).toString()).perDeviceTrainBatchSize(3)
                .learningRate(1e-2).lrSchedulerType(SchedulerType.CONSTANT).warmupSteps(0).maxSteps(2).loggingSteps(1)
                .trainSamplingStrategy(SamplingStrategy.SEQUENTIAL).saveStrategy(IntervalStrategy.STEPS).saveSteps(1)
                .disableTqdm(true);
    }

    private static Dataset pairs() throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode pair : RewardGoldenTest.json("pairs.json").get("pairs")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("chosen_ids", longs(pair.get("chosen_ids")));
            row.put("rejected_ids", longs(pair.get("rejected_ids")));
            rows.add(row);
        }
        return Dataset.fromRows(rows);
    }

    private static long[] longs(JsonNode list) {
        long[] ids = new long[list.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = list.get(i).asLong();
        return ids;
    }

    private RewardTrainer trainer(SequenceClassificationModel model, long seed, TrainingArguments args) throws IOException {
        TrainingArguments seeded = args.toBuilder().seed(seed).build();
        return new RewardTrainer(model, lora(), RewardConfig.of(seeded).withMaxLength(null), null, pairs(), null,
                List.of());
    }

    @Test
    void onlyTheAdaptersAndTheScoreHeadTrainAndHaveAdamWState() throws IOException {
        SequenceClassificationModel model = reward();
        Map<String, float[]> before = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> before.put(name, p.value().toFloatArray()));
        RewardTrainer trainer = trainer(model, 42, args("only").build());
        trainer.train();

        Map<String, Parameter> after = model.namedParameters();
        before.forEach((name, value) -> {
            boolean moved = !java.util.Arrays.equals(value, after.get(name).value().toFloatArray());
            assertEquals(name.equals("score.weight"), moved, name + (moved ? " moved" : " did not move"));
        });
        Map<String, Tensor> optimizer = Checkpoints.loadFile(out.resolve("only/checkpoint-2/optimizer.safetensors"));
        List<String> trainable = trainer.model().namedParameters().entrySet().stream()
                .filter(e -> e.getValue().requiresGrad()).map(Map.Entry::getKey).toList();
        assertEquals(2 * 2 + 1, trainable.size(), trainable.toString());
        assertEquals(3 * trainable.size(), optimizer.size(), optimizer.keySet().toString());
        for (String key : optimizer.keySet()) {
            assertTrue(key.contains(".lora_A.weight.") || key.contains(".lora_B.weight.")
                    || key.startsWith("base_model.model.score.weight."), key);
        }
        for (var layer : ((PeftModelForSequenceClassification) trainer.model()).loraLayers().values()) {
            assertFalse(java.util.Arrays.equals(new float[layer.loraB().numel()], layer.loraB().value().toFloatArray()),
                    "B trained");
        }
    }

    @Test
    void checkpointsAndTheOutputHoldTheAdapterAndResumingIsBitForBit() throws IOException {
        RewardTrainer straight = trainer(reward(), 42, args("a").build());
        straight.train();
        straight.saveModel();
        Path output = out.resolve("a");
        JsonNode config = ConfigJson.MAPPER.readTree(output.resolve(PeftModel.CONFIG_NAME).toFile());
        assertEquals("SEQ_CLS", config.get("task_type").asText());
        assertEquals("[\"classifier\",\"score\"]", config.get("modules_to_save").toString());
        assertTrue(Checkpoints.loadFile(output.resolve("checkpoint-1").resolve(PeftModel.WEIGHTS_NAME))
                .containsKey("base_model.model.score.weight"));

        // other adapter weights (seed 7): everything must come from the checkpoint
        RewardTrainer resumed = trainer(reward(), 7,
                args("b").resumeFromCheckpoint(output.resolve("checkpoint-1").toString()).build());
        resumed.train();
        Map<String, Parameter> got = resumed.model().namedParameters();
        straight.model().namedParameters().forEach((name, p) ->
                assertArrayEquals(p.value().toFloatArray(), got.get(name).value().toFloatArray(), name));

        JsonNode batch = RewardGoldenTest.json("pairs.json").get("batch");
        Tensor ids = RewardGoldenTest.longs(batch.get("input_ids")), mask = RewardGoldenTest.longs(batch.get("attention_mask"));
        PeftModelForSequenceClassification loaded = PeftModelForSequenceClassification.fromPretrained(reward(), output, false);
        loaded.setPadTokenId(straight.model().config().padTokenId());
        straight.model().eval();
        assertArrayEquals(straight.model().logits(ids, mask).toFloatArray(), loaded.logits(ids, mask).toFloatArray());
    }
}
