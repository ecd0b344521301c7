package dev.jtune.train.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.SequenceClassificationModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward model against {@code shared/fixtures/ref/reward-gpt2} (an independent float64 PyTorch reference that
 * follows transformers' {@code GPT2ForSequenceClassification} and TRL's {@code RewardTrainer}; README-rlhf.md there):
 * pooling positions, rewards, loss, metrics and the gradient of every parameter of one batch of six pairs, to 1e-4
 * relative, and the loss variants (margin column, centred rewards, pad = eos).
 */
class RewardGoldenTest {

    private static final double TOLERANCE = 1e-4;
    private static final String DIR = "fixtures/ref/reward-gpt2";

    @TempDir
    Path out;

    @Test
    void rewardsLossMetricsAndEveryGradientOfOneBatchMatchTheReference() throws IOException {
        JsonNode pairs = json("pairs.json");
        SequenceClassificationModel model = AutoModelForSequenceClassification.fromPretrained(SharedFixtures.file(DIR));
        assertEquals(1, model.numLabels());
        assertEquals(50257, model.config().padTokenId());
        Tensor ids = longs(pairs.get("batch").get("input_ids")), mask = longs(pairs.get("batch").get("attention_mask"));

        assertArrayEquals(ints(pairs.get("pooled_index")), SequenceClassificationModel.pooledIndex(ids, 50257));
        Tensor rewards = model.logits(ids, mask);  // (12, 1)
        assertArrayEquals(new int[] {12, 1}, rewards.shape());
        assertClose("rewards", floats(pairs.get("rewards")), rewards.toFloatArray(), 1e-5);

        RewardLoss.Result result = RewardLoss.compute(rewards, null, 0);
        assertEquals(pairs.get("loss").asDouble(), result.loss().item(), TOLERANCE * pairs.get("loss").asDouble());
        assertEquals(pairs.get("accuracy").asDouble(), result.accuracy(), 1e-12);
        assertEquals(pairs.get("margin").asDouble(), result.margin(), 1e-5);
        assertEquals(pairs.get("min_reward").asDouble(), result.minReward(), 1e-5);
        assertEquals(pairs.get("mean_reward").asDouble(), result.meanReward(), 1e-5);
        assertEquals(pairs.get("max_reward").asDouble(), result.maxReward(), 1e-5);
        assertEquals(pairs.get("num_tokens").asLong(), java.util.Arrays.stream(mask.toLongArray()).sum());

        result.loss().backward();
        Map<String, Tensor> grads = Checkpoints.loadFile(SharedFixtures.file(DIR + "/grads.safetensors"));
        Map<String, Parameter> params = model.namedParameters();
        double sumOfSquares = 0;
        for (var e : params.entrySet()) {
            Tensor grad = e.getValue().grad();
            assertNotNull(grad, e.getKey());
            float[] expected = grads.containsKey(e.getKey()) ? grads.get(e.getKey()).toFloatArray()
                    : sparse(grads, e.getKey(), new float[e.getValue().numel()], e.getValue().shape()[1]);
            float[] actual = grad.toFloatArray();
            exactlyZeroEntries(e.getKey(), expected, actual);
            assertClose("grad " + e.getKey(), expected, actual, TOLERANCE);
            for (float g : grad.toFloatArray()) sumOfSquares += (double) g * g;
        }
        assertEquals(pairs.get("grad_norm").asDouble(), Math.sqrt(sumOfSquares), TOLERANCE * pairs.get("grad_norm").asDouble());
    }

    @Test
    void theMarginColumnAndCentredRewardsChangeTheLossAsTrlDoes() throws IOException {
        JsonNode pairs = json("pairs.json"), variants = pairs.get("variants");
        SequenceClassificationModel model = AutoModelForSequenceClassification.fromPretrained(SharedFixtures.file(DIR));
        Tensor rewards = model.logits(longs(pairs.get("batch").get("input_ids")), longs(pairs.get("batch").get("attention_mask")));
        JsonNode margin = variants.get("with_margin_column");
        double[] margins = new double[margin.get("margin").size()];
        for (int i = 0; i < margins.length; i++) margins[i] = margin.get("margin").get(i).asDouble();
        assertEquals(margin.get("loss").asDouble(), RewardLoss.compute(rewards, margins, 0).loss().item(), 1e-5);
        JsonNode center = variants.get("center_rewards_coefficient");
        assertEquals(center.get("loss").asDouble(),
                RewardLoss.compute(rewards, null, center.get("coefficient").asDouble()).loss().item(), 1e-5);
    }

    @Test
    void withPadEqualToEosTheAppendedEosCountsAsPaddingAndTheRewardIsReadBeforeIt() throws IOException {
        JsonNode variant = json("pairs.json").get("variants").get("pad_token_is_eos");
        SequenceClassificationModel model = AutoModelForSequenceClassification.fromPretrained(SharedFixtures.file(DIR));
        model.setPadTokenId(50256);
        Tensor ids = longs(variant.get("input_ids"));
        assertArrayEquals(ints(variant.get("pooled_index")), SequenceClassificationModel.pooledIndex(ids, 50256));
        Tensor rewards = model.logits(ids, longs(variant.get("attention_mask")));
        assertClose("rewards", floats(variant.get("rewards")), rewards.toFloatArray(), 1e-5);
        RewardLoss.Result result = RewardLoss.compute(rewards, null, 0);
        assertEquals(variant.get("loss").asDouble(), result.loss().item(), 1e-5);
        assertEquals(variant.get("accuracy").asDouble(), result.accuracy(), 1e-12);
    }

    @Test
    void aSavedRewardModelHasTransformersFilesAndLoadsBackWithIdenticalRewards() throws IOException {
        JsonNode pairs = json("pairs.json");
        Path dir = SharedFixtures.file(DIR);
        SequenceClassificationModel model = AutoModelForSequenceClassification.fromPretrained(dir);
        model.savePretrained(out);
        Map<String, Tensor> theirs = Checkpoints.loadTensors(dir), ours = Checkpoints.loadTensors(out);
        assertEquals(theirs.keySet(), ours.keySet());
        JsonNode theirConfig = ConfigJson.MAPPER.readTree(dir.resolve("config.json").toFile());
        JsonNode ourConfig = ConfigJson.MAPPER.readTree(out.resolve("config.json").toFile());
        theirConfig.fieldNames().forEachRemaining(f -> {
            if (!f.equals("transformers_version")) assertEquals(theirConfig.get(f), ourConfig.get(f), "config.json " + f);
        });
        Tensor ids = longs(pairs.get("batch").get("input_ids")), mask = longs(pairs.get("batch").get("attention_mask"));
        assertArrayEquals(model.logits(ids, mask).toFloatArray(),
                AutoModelForSequenceClassification.fromPretrained(out).logits(ids, mask).toFloatArray());
    }

    @Test
    void aCausalLmCheckpointGivesABodyWithANewScoreHead() throws IOException {
        SequenceClassificationModel model = AutoModelForSequenceClassification.fromPretrained(
                SharedFixtures.file("fixtures/hf/tiny-gpt2/model"), 1, 7);
        assertEquals("GPT2ForSequenceClassification", model.architecture());
        assertTrue(model.namedParameters().containsKey("score.weight"));
        assertTrue(model.namedParameters().keySet().stream().noneMatch(k -> k.startsWith("lm_head")));
        Map<String, Tensor> reward = Checkpoints.loadTensors(SharedFixtures.file(DIR));
        // the fixture's reward model is the tiny GPT-2 body: the loaded body must be bit-identical to it
        assertArrayEquals(reward.get("transformer.h.1.mlp.c_fc.weight").toFloatArray(),
                model.namedParameters().get("transformer.h.1.mlp.c_fc.weight").value().toFloatArray());
    }

    /**
     * The entries whose exact gradient is 0 under a pairwise loss (README-rlhf.md: {@code ln_f.bias} adds the same to
     * both rewards of a pair; a key bias shifts every score of a query equally) hold round-off on both sides (1e-17 in
     * the float64 reference, up to ~1e-8 here), so a relative comparison says nothing: both sides are checked to be
     * round-off (below 1e-6, against gradients of order 1) and then set equal.
     */
    private static void exactlyZeroEntries(String name, float[] expected, float[] actual) {
        int[] range = nullGradientRange(name, actual.length);
        for (int i = range[0]; i < range[1]; i++) {
            assertTrue(Math.abs(actual[i]) < 1e-6 && Math.abs(expected[i]) < 1e-6,
                    name + "[" + i + "] should be round-off: " + actual[i] + " vs " + expected[i]);
            actual[i] = expected[i];
        }
    }

    /**
     * The entries {@code [from, to)} of tensor {@code name} whose gradient under a pairwise reward loss is exactly 0:
     * all of {@code ln_f.bias}, the key third of every {@code c_attn.bias}, none elsewhere.
     */
    static int[] nullGradientRange(String name, int length) {
        if (name.equals("transformer.ln_f.bias")) return new int[] {0, length};
        if (name.endsWith(".attn.c_attn.bias")) return new int[] {length / 3, 2 * length / 3};
        return new int[] {0, 0};
    }

    /**
     * A tensor stored sparsely as {@code sparse.<name>.indices} (rows) and {@code .values} over {@code background}
     * (zeros for a gradient, the initial weights for a trained tensor): every other row is the background's.
     */
    static float[] sparse(Map<String, Tensor> file, String name, float[] background, int width) {
        Tensor indices = file.get("sparse." + name + ".indices"), values = file.get("sparse." + name + ".values");
        assertNotNull(indices, "no " + name + " in the file");
        float[] dense = background.clone(), rows = values.toFloatArray();
        long[] at = indices.toLongArray();
        for (int i = 0; i < at.length; i++) System.arraycopy(rows, i * width, dense, (int) at[i] * width, width);
        return dense;
    }

    private static void assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length, what + ": size");
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        double err = scale == 0 ? diff : diff / scale;
        assertTrue(err < tolerance, what + ": relative error " + err + " >= " + tolerance);
    }

    static JsonNode json(String file) throws IOException {
        return ConfigJson.MAPPER.readTree(SharedFixtures.file(DIR + "/" + file).toFile());
    }

    static Tensor longs(JsonNode rows) {
        int b = rows.size(), t = rows.get(0).size();
        long[] out = new long[b * t];
        for (int i = 0; i < b; i++) for (int j = 0; j < t; j++) out[i * t + j] = rows.get(i).get(j).asLong();
        return Tensor.ofLongs(out, b, t);
    }

    private static int[] ints(JsonNode list) {
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = list.get(i).asInt();
        return out;
    }

    private static float[] floats(JsonNode list) {
        float[] out = new float[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = (float) list.get(i).asDouble();
        return out;
    }
}
