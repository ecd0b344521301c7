package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.train.optim.SchedulerType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingArgumentsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreTransformers() {
        TrainingArguments a = TrainingArguments.builder().build();
        assertEquals(8, a.perDeviceTrainBatchSize());
        assertEquals(5e-5, a.learningRate());
        assertEquals(3.0, a.numTrainEpochs());
        assertEquals(-1, a.maxSteps());
        assertEquals(SchedulerType.LINEAR, a.lrSchedulerType());
        assertEquals(500, a.loggingSteps());
        assertEquals(500, a.evalSteps(), "eval_steps defaults to logging_steps");
        assertEquals(IntervalStrategy.STEPS, a.saveStrategy());
        assertEquals(1.0, a.maxGradNorm());
        assertEquals(42L, a.dataSeed(), "data_seed defaults to seed");
        assertEquals(SamplingStrategy.RANDOM, a.trainSamplingStrategy());
    }

    @Test
    void jsonUsesSnakeCaseAndRoundTrips() throws IOException {
        TrainingArguments a = TrainingArguments.builder().outputDir("out").gradientAccumulationSteps(4)
                .lrSchedulerType(SchedulerType.CONSTANT_WITH_WARMUP).evalStrategy(IntervalStrategy.STEPS).evalSteps(10)
                .saveSteps(20).loadBestModelAtEnd(true).saveTotalLimit(2).numTrainEpochs(1.5).build();
        var json = a.toJson();
        assertEquals(4, json.get("gradient_accumulation_steps").asInt());
        assertEquals("constant_with_warmup", json.get("lr_scheduler_type").asText());
        assertEquals("steps", json.get("eval_strategy").asText());
        assertEquals("loss", json.get("metric_for_best_model").asText());
        assertEquals(false, json.get("greater_is_better").asBoolean());
        assertEquals(0.9, json.get("adam_beta1").asDouble());
        Path file = dir.resolve("training_args.json");
        a.save(file);
        assertEquals(a, TrainingArguments.load(file));
        assertEquals(a, a.toBuilder().build());
    }

    @Test
    void readsTransformersJsonIgnoringUnknownKeysAndKeepingDefaults() throws IOException {
        var json = new ObjectMapper().readTree("{\"output_dir\": \"o\", \"per_device_train_batch_size\": 2, "
                + "\"logging_steps\": 7, \"push_to_hub\": false, \"fp16\": false, \"warmup_ratio\": 0.1}");
        TrainingArguments a = TrainingArguments.fromJson(json);
        assertEquals(2, a.perDeviceTrainBatchSize());
        assertEquals(7, a.evalSteps(), "unset eval_steps follows the file's logging_steps");
        assertEquals(0.1, a.warmupRatio());
        assertEquals(8, a.perDeviceEvalBatchSize());
    }

    @Test
    void invalidArgumentsAreNamed() throws IOException {
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingArguments.builder().gradientAccumulationSteps(0).build());
        assertEquals("TrainingArguments: gradient_accumulation_steps must be >= 1, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingArguments.builder().loadBestModelAtEnd(true).build());
        assertTrue(e.getMessage().contains("load_best_model_at_end needs save_strategy == eval_strategy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TrainingArguments.builder().loadBestModelAtEnd(true)
                .evalStrategy(IntervalStrategy.STEPS).evalSteps(3).saveSteps(10).build());
        assertTrue(e.getMessage().contains("save_steps (10) to be a multiple of eval_steps (3)"), e.getMessage());
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"lr_scheduler_type\": \"wavy\"}");
        var io = assertThrows(IOException.class, () -> TrainingArguments.load(bad));
        assertTrue(io.getMessage().startsWith(bad.toString()) && io.getMessage().contains("wavy"), io.getMessage());
    }
}
