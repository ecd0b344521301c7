package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.optim.SchedulerType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden: {@code shared/fixtures/ref/lora-gpt2/train.json} and {@code trained_adapter.safetensors} (PEFT semantics in
 * float64 PyTorch, see README-rlhf.md): four AdamW steps (lr 1e-3 constant, no clipping, batch 2 x accumulation 2)
 * from the fixture's adapter on tiny-gpt2 through the Trainer, only the LoRA tensors trainable: the losses, the
 * gradient norms, the trained adapter, and a base left bit-identical.
 *
 * <p>Losses agree to 9e-7, gradient norms to 4e-7 relative, and the adapter to 2e-6 except one element
 * ({@code h.1.attn.c_attn.lora_B[61, 1]}, a key row) at 1.1e-5, presumably an entry whose gradient is near zero,
 * where AdamW's first steps turn float noise into updates of up to lr (as the README notes for the reward fixture;
 * not analysed further).
 */
class LoraTrainingFixtureTest {

    @TempDir
    Path out;

    @Test
    void fourAccumulatedStepsTrainOnlyTheAdapterAndMatchTheReference() throws Exception {
        Path ref = SharedFixtures.file("fixtures/ref/lora-gpt2");
        JsonNode train = new ObjectMapper().readTree(ref.resolve("train.json").toFile());
        PreTrainedCausalLM base = AutoModelForCausalLM.fromPretrained(SharedFixtures.file("fixtures/hf/tiny-gpt2/model"));
        Map<String, float[]> baseBefore = new LinkedHashMap<>();
        base.namedParameters().forEach((n, p) -> baseBefore.put(n, p.value().toFloatArray()));
        PeftModel peft = PeftModel.fromPretrained(base, ref.resolve("adapter"), true);

        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode step : train.get("steps")) {
            for (JsonNode micro : step.get("micro_batches")) {
                for (int r = 0; r < micro.get("input_ids").size(); r++) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (String col : List.of("input_ids", "attention_mask", "labels")) row.put(col, ints(micro.get(col).get(r)));
                    rows.add(row);
                }
            }
        }
        TrainingArguments args = TrainingArguments.builder().outputDir(out.toString()).perDeviceTrainBatchSize(2)
                .gradientAccumulationSteps(2).learningRate(1e-3).lrSchedulerType(SchedulerType.CONSTANT).maxSteps(4)
                .loggingSteps(1).warmupSteps(0).weightDecay(0).maxGradNorm(1e30).adamBeta1(0.9).adamBeta2(0.999)
                .adamEpsilon(1e-8).trainSamplingStrategy(SamplingStrategy.SEQUENTIAL)
                .saveStrategy(IntervalStrategy.NO).disableTqdm(true).build();
        Trainer trainer = new Trainer(peft, args, Dataset.fromRows(rows), null);
        trainer.train();

        double worstLoss = 0, worstNorm = 0;
        for (int i = 0; i < 4; i++) {
            JsonNode expected = train.get("steps").get(i);
            Map<String, Object> got = trainer.state().logHistory().get(i);
            worstLoss = Math.max(worstLoss, Math.abs((Double) got.get("loss") - expected.get("loss").asDouble()));
            worstNorm = Math.max(worstNorm, Math.abs((Double) got.get("grad_norm") / expected.get("grad_norm").asDouble() - 1));
        }
        Map<String, Tensor> trained = Checkpoints.loadFile(ref.resolve("trained_adapter.safetensors"));
        Map<String, Parameter> params = peft.namedParameters();
        double worstAdapter = 0;
        for (var e : trained.entrySet()) {
            float[] want = e.getValue().toFloatArray(), have = params.get(e.getKey()).value().toFloatArray();
            for (int i = 0; i < want.length; i++) worstAdapter = Math.max(worstAdapter, Math.abs(want[i] - have[i]));
        }
        System.out.printf("lora-gpt2 training golden: loss max |diff| %.2g, grad_norm relative %.2g, trained adapter "
                + "max |diff| %.2g%n", worstLoss, worstNorm, worstAdapter);
        assertTrue(worstLoss < 1e-5, "step loss |diff| " + worstLoss);
        assertTrue(worstNorm < 1e-4, "grad norm relative error " + worstNorm);
        assertTrue(worstAdapter < 1e-4, "trained adapter |diff| " + worstAdapter);
        base.namedParameters().forEach((n, p) -> {
            if (n.contains(".lora_")) return;
            assertArrayEquals(baseBefore.get(n), p.value().toFloatArray(), "frozen " + n + " changed");
            assertNull(p.grad(), n);
        });
        assertEquals(16, peft.trainableParameters().size());
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }
}
