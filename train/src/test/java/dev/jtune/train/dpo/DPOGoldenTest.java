package dev.jtune.train.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.train.MetricLog;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.ModelInputs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One DPO batch against {@code shared/fixtures/ref/dpo-gpt2/data.json} (an independent float64 PyTorch reference that
 * follows TRL's {@code DPOTrainer}; README-rlhf.md there): the collated batch and its completion mask, the summed
 * log-probs of policy (tiny GPT-2 + LoRA adapter) and reference (adapter disabled), the sigmoid loss, TRL's metrics,
 * the gradient of every LoRA tensor, and the hinge, IPO and robust losses. Log-probs, rewards and margins are compared
 * absolutely to 1e-5 (they are differences of numbers near -25, where float32's spacing is 2e-6: README "Tolerances").
 */
class DPOGoldenTest {

    private static final String DIR = "fixtures/ref/dpo-gpt2";

    @Test
    void oneBatchMatchesTheReference() throws IOException {
        JsonNode data = json("data.json");
        PeftModel policy = policy();
        ModelInputs batch = collate(data.get("examples"), 50257);
        JsonNode expected = data.get("batch");
        assertArrayEquals(longs2(expected.get("input_ids")), batch.inputIds().toLongArray());
        assertArrayEquals(longs2(expected.get("attention_mask")), batch.attentionMask().toLongArray());
        assertArrayEquals(longs2(expected.get("completion_mask")), batch.extra("completion_mask").toLongArray());

        float[] ref = ReferenceModel.adapterDisabled(policy).logps(batch.inputIds(), batch.attentionMask(),
                batch.extra("completion_mask"));
        assertClose("ref logps", concat(data.get("ref_chosen_logps"), data.get("ref_rejected_logps")), ref, 1e-5);

        DPOObjective objective = new DPOObjective(policy, ReferenceModel.adapterDisabled(policy), config("sigmoid", 0));
        MetricLog log = new MetricLog();
        policy.train(true);
        Tensor loss = objective.lossSum(batch, log);
        assertEquals(data.get("loss").asDouble(), loss.item(), 1e-6);
        Map<String, Double> metrics = log.drain();
        JsonNode m = data.get("metrics");
        assertEquals(m.get("logps/chosen").asDouble(), metrics.get("logps/chosen"), 1e-5);
        assertEquals(m.get("logps/rejected").asDouble(), metrics.get("logps/rejected"), 1e-5);
        assertEquals(m.get("rewards/chosen").asDouble(), metrics.get("rewards/chosen"), 1e-5);
        assertEquals(m.get("rewards/rejected").asDouble(), metrics.get("rewards/rejected"), 1e-5);
        assertEquals(m.get("rewards/margins").asDouble(), metrics.get("rewards/margins"), 1e-5);
        assertEquals(m.get("rewards/accuracies").asDouble(), metrics.get("rewards/accuracies"), 0);
        assertEquals(m.get("logits/chosen").asDouble(), metrics.get("logits/chosen"), 1e-5);
        assertEquals(m.get("logits/rejected").asDouble(), metrics.get("logits/rejected"), 1e-5);
        assertEquals(m.get("entropy").asDouble(), metrics.get("entropy"), 1e-5);
        assertEquals(m.get("mean_token_accuracy").asDouble(), metrics.get("mean_token_accuracy"), 0);
        assertEquals(m.get("num_tokens").asDouble(), metrics.get("num_tokens"), 0);
        assertEquals(List.of("entropy", "num_tokens", "logits/chosen", "logits/rejected", "mean_token_accuracy",
                "rewards/chosen", "rewards/rejected", "rewards/accuracies", "rewards/margins", "logps/chosen",
                "logps/rejected"), new ArrayList<>(metrics.keySet()), "TRL's metric order");

        loss.backward();
        Map<String, Tensor> grads = Checkpoints.loadFile(SharedFixtures.file(DIR + "/grads.safetensors"));
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        policy.namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) trainable.put(name, p);
        });
        assertEquals(grads.keySet(), trainable.keySet());
        double sumOfSquares = 0;
        for (var e : grads.entrySet()) {
            Tensor g = trainable.get(e.getKey()).grad();
            assertNotNull(g, e.getKey());
            assertRelative("grad " + e.getKey(), e.getValue().toFloatArray(), g.toFloatArray(), 1e-4);
            for (float x : g.toFloatArray()) sumOfSquares += (double) x * x;
        }
        assertEquals(data.get("grad_norm").asDouble(), Math.sqrt(sumOfSquares), 1e-4 * data.get("grad_norm").asDouble());
    }

    @Test
    void hingeIpoAndRobustLossesOfTheSameBatchMatchTheReference() throws IOException {
        JsonNode data = json("data.json"), other = data.get("other_loss_types_same_batch");
        PeftModel policy = policy();
        ModelInputs batch = collate(data.get("examples"), 50257);
        ReferenceModel ref = ReferenceModel.adapterDisabled(policy);
        assertEquals(other.get("hinge").asDouble(), loss(policy, ref, batch, "hinge", 0), 1e-5);
        assertEquals(other.get("ipo").asDouble(), loss(policy, ref, batch, "ipo", 0), 1e-4 * other.get("ipo").asDouble());
        assertEquals(other.get("robust_label_smoothing_0.1").asDouble(), loss(policy, ref, batch, "robust", 0.1), 1e-5);
    }

    @Test
    void paddingWithTheEosIdChangesNoLogProbBecauseMasksComeFromLengths() throws IOException {
        JsonNode data = json("data.json");
        PeftModel policy = policy();
        ReferenceModel ref = ReferenceModel.adapterDisabled(policy);
        ModelInputs pad = collate(data.get("examples"), 50257), eos = collate(data.get("examples"), 50256);
        float[] a = ref.logps(pad.inputIds(), pad.attentionMask(), pad.extra("completion_mask"));
        float[] b = ref.logps(eos.inputIds(), eos.attentionMask(), eos.extra("completion_mask"));
        assertArrayEquals(a, b);
    }

    private static double loss(PeftModel policy, ReferenceModel ref, ModelInputs batch, String type, double smoothing) {
        return new DPOObjective(policy, ref, config(type, smoothing)).lossSum(batch, new MetricLog()).item();
    }

    static PeftModel policy() throws IOException {
        return PeftModel.fromPretrained(AutoModelForCausalLM.fromPretrained(SharedFixtures.file("fixtures/hf/tiny-gpt2/model")),
                SharedFixtures.file(DIR + "/adapter"), true);
    }

    static DPOConfig config(String lossType, double smoothing) {
        return DPOConfig.of(TrainingArguments.builder().outputDir("unused").build()).withLossType(lossType, smoothing);
    }

    static ModelInputs collate(JsonNode examples, long pad) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode e : examples) rows.add(row(e));
        return new DataCollatorForPreference(pad, null, "keep_start", 1).apply(rows);
    }

    static Map<String, Object> row(JsonNode e) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String k : List.of("prompt_ids", "chosen_ids", "rejected_ids")) row.put(k, longs(e.get(k)));
        return row;
    }

    static long[] longs(JsonNode list) {
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i).asLong();
        return out;
    }

    private static long[] longs2(JsonNode rows) {
        List<Long> out = new ArrayList<>();
        for (JsonNode r : rows) for (JsonNode v : r) out.add(v.asLong());
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static float[] concat(JsonNode a, JsonNode b) {
        float[] out = new float[a.size() + b.size()];
        for (int i = 0; i < a.size(); i++) out[i] = (float) a.get(i).asDouble();
        for (int i = 0; i < b.size(); i++) out[a.size() + i] = (float) b.get(i).asDouble();
        return out;
    }

    static void assertClose(String what, float[] expected, float[] actual, double absolute) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], absolute, what + "[" + i + "]");
        }
    }

    static void assertRelative(String what, float[] expected, float[] actual, double tolerance) {
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        assertTrue(diff <= tolerance * scale, what + ": relative error " + diff / scale);
    }

    static JsonNode json(String file) throws IOException {
        return ConfigJson.MAPPER.readTree(SharedFixtures.file(DIR + "/" + file).toFile());
    }
}
