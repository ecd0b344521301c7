package dev.jtune.train.dpo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.train.IntervalStrategy;
import dev.jtune.train.SamplingStrategy;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.optim.SchedulerType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three DPO steps against {@code shared/fixtures/ref/dpo-gpt2/train.json} (2 examples per step in order, constant lr
 * 1e-3, no clipping, only the LoRA tensors trainable): per-step loss, grad norm and TRL's metrics, and the trained
 * adapter, for both of TRL's references with LoRA: the adapter disabled (a new adapter) and a frozen copy of the
 * starting adapter (an existing adapter trained further: step 1 has loss ln 2 and zero rewards). Log-probs, rewards
 * and margins are compared absolutely to 1e-5 (README-rlhf.md, "Tolerances").
 */
class DPOTrainerGoldenTest {

    @TempDir
    Path out;

    @Test
    void threeStepsAgainstTheAdapterDisabledReference() throws IOException {
        JsonNode train = DPOGoldenTest.json("train.json");
        PeftModel policy = DPOGoldenTest.policy();
        run(policy, ReferenceModel.adapterDisabled(policy), train.get("steps"), "trained_adapter.safetensors");
    }

    @Test
    void threeStepsAgainstAFrozenCopyOfTheStartingAdapter() throws IOException {
        JsonNode variant = DPOGoldenTest.json("train.json").get("variant_ref_adapter_mode");
        PeftModel policy = DPOGoldenTest.policy();
        run(policy, DPOTrainer.defaultReference(policy, false), variant.get("steps"),
                "trained_adapter_ref_adapter_mode.safetensors");
        assertEquals(Math.log(2), variant.get("steps").get(0).get("loss").asDouble(), 1e-12);
    }

    private void run(PeftModel policy, ReferenceModel reference, JsonNode steps, String trainedFile) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode e : DPOGoldenTest.json("data.json").get("examples")) rows.add(DPOGoldenTest.row(e));
        TrainingArguments args = DPOConfig.defaultArguments().outputDir(out.toString()).perDeviceTrainBatchSize(2)
                .learningRate(1e-3).lrSchedulerType(SchedulerType.CONSTANT).warmupSteps(0).weightDecay(0).maxGradNorm(1e9)
                .adamBeta1(0.9).adamBeta2(0.999).adamEpsilon(1e-8).maxSteps(3).loggingSteps(1)
                .trainSamplingStrategy(SamplingStrategy.SEQUENTIAL).saveStrategy(IntervalStrategy.NO).disableTqdm(true)
                .build();
        DPOTrainer trainer = new DPOTrainer(policy, reference, DPOConfig.of(args).withMaxLength(null, "keep_start"),
                null, Dataset.fromRows(rows), null, List.of());
        trainer.train();

        List<Map<String, Object>> logs = trainer.trainer().state().logHistory();
        for (int s = 0; s < 3; s++) {
            JsonNode expected = steps.get(s), metrics = expected.get("metrics");
            Map<String, Object> log = logs.get(s);
            String at = "step " + (s + 1) + " ";
            assertEquals(expected.get("loss").asDouble(), (double) log.get("loss"), 1e-6, at + "loss");
            assertEquals(expected.get("grad_norm").asDouble(), (double) log.get("grad_norm"),
                    1e-4 * expected.get("grad_norm").asDouble(), at + "grad_norm");
            for (String k : List.of("rewards/chosen", "rewards/rejected", "rewards/margins", "logps/chosen",
                    "logps/rejected", "logits/chosen", "logits/rejected", "entropy")) {
                assertEquals(metrics.get(k).asDouble(), (double) log.get(k), 1e-5, at + k);
            }
            for (String k : List.of("rewards/accuracies", "mean_token_accuracy", "num_tokens")) {
                assertEquals(metrics.get(k).asDouble(), (double) log.get(k), 0, at + k);
            }
        }
        Map<String, Tensor> trained = Checkpoints.loadFile(SharedFixtures.file("fixtures/ref/dpo-gpt2/" + trainedFile));
        trainer.saveModel();
        Map<String, Tensor> saved = Checkpoints.loadFile(out.resolve("adapter_model.safetensors"));
        assertEquals(trained.keySet(), saved.keySet());
        for (var e : trained.entrySet()) {
            DPOGoldenTest.assertClose(e.getKey(), e.getValue().toFloatArray(), saved.get(e.getKey()).toFloatArray(), 1e-4);
        }
    }
}
