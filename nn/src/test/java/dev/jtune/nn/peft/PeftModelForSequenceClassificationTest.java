package dev.jtune.nn.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.Compare;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.SequenceClassifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PeftModelForSequenceClassification on a small random GPT-2 reward model: PEFT's SEQ_CLS rules (the score head a
 * module to save), a fresh adapter as a no-op, what trains, the saved folder, round trips, merging and bad input.
 */
class PeftModelForSequenceClassificationTest {

    @TempDir
    Path dir;

    private static float[] rewards(SequenceClassifier m) {
        return m.logits(TinyModels.ids(7), null).toFloatArray();
    }

    /** A random-weighted sum of the rewards (a plain sum could hide a wrong gradient), run backward. */
    private static void backward(SequenceClassifier m) {
        Tensor weights = Tensor.randn(new Generator(11), DType.F32, 2, 1);
        m.logits(TinyModels.ids(7), null).mul(weights).sum().backward();
    }

    /** An adapter with a random B and a moved score head, so that it changes the rewards. */
    private static PeftModelForSequenceClassification trained(SequenceClassificationModel model) {
        PeftModelForSequenceClassification peft = PeftModelForSequenceClassification.getPeftModel(model,
                LoraConfig.builder().r(2).loraAlpha(4).initLoraWeights(false).build(), 3);
        Parameter score = model.namedParameters().get("score.weight");
        score.set(Tensor.randn(new Generator(5), DType.F32, score.shape()));
        return peft;
    }

    @Test
    void seqClsPutsTheHeadsInModulesToSaveAfterTheUsersModules() {
        LoraConfig none = PeftModelForSequenceClassification.getPeftModel(TinyModels.gpt2Reward(1),
                LoraConfig.builder().build()).peftConfig();
        assertEquals("SEQ_CLS", none.taskType());
        assertEquals(List.of("classifier", "score"), none.modulesToSave());
        LoraConfig given = PeftModelForSequenceClassification.getPeftModel(TinyModels.gpt2Reward(1),
                LoraConfig.builder().modulesToSave(List.of("wte")).build()).peftConfig();
        assertEquals(List.of("wte", "classifier", "score"), given.modulesToSave());
    }

    @Test
    void aFreshAdapterGivesTheBaseRewardsAndScoreGradientBitForBit() {
        SequenceClassificationModel full = TinyModels.gpt2Reward(2);
        float[] base = rewards(full);
        backward(full);
        float[] fullScoreGrad = full.namedParameters().get("score.weight").grad().toFloatArray();

        SequenceClassificationModel model = TinyModels.gpt2Reward(2);
        PeftModelForSequenceClassification peft = PeftModelForSequenceClassification.getPeftModel(model,
                LoraConfig.builder().r(2).build());
        assertArrayEquals(base, rewards(peft));
        backward(peft);
        assertArrayEquals(fullScoreGrad, model.namedParameters().get("score.weight").grad().toFloatArray());
    }

    @Test
    void onlyTheAdaptersAndTheScoreHeadRequireAndGetGradients() {
        PeftModelForSequenceClassification peft = PeftModelForSequenceClassification.getPeftModel(TinyModels.gpt2Reward(3),
                LoraConfig.builder().r(2).build());
        backward(peft);
        Set<String> trainable = new TreeSet<>();
        peft.namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) {
                trainable.add(name);
                assertNotNull(p.grad(), name);
            } else {
                assertNull(p.grad(), name);
            }
        });
        Set<String> expected = new TreeSet<>(Set.of("base_model.model.score.weight"));
        for (int layer = 0; layer < 2; layer++) {
            for (String ab : List.of("lora_A", "lora_B")) {
                expected.add("base_model.model.transformer.h." + layer + ".attn.c_attn." + ab + ".weight");
            }
        }
        assertEquals(expected, trainable);
    }

    @Test
    void theSavedFolderHasPeftsKeysAndASeqClsConfig() throws Exception {
        trained(TinyModels.gpt2Reward(4)).savePretrained(dir);
        Set<String> keys = new TreeSet<>(Checkpoints.loadFile(dir.resolve(PeftModel.WEIGHTS_NAME)).keySet());
        assertEquals(new TreeSet<>(List.of("base_model.model.score.weight",
                "base_model.model.transformer.h.0.attn.c_attn.lora_A.weight",
                "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight",
                "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight",
                "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight")), keys);
        JsonNode config = ConfigJson.MAPPER.readTree(dir.resolve(PeftModel.CONFIG_NAME).toFile());
        assertEquals("SEQ_CLS", config.get("task_type").asText());
        assertEquals("[\"classifier\",\"score\"]", config.get("modules_to_save").toString());
        assertEquals("[\"c_attn\"]", config.get("target_modules").toString());
        assertTrue(config.get("inference_mode").asBoolean());
    }

    @Test
    void saveThenLoadGivesIdenticalRewards() throws Exception {
        PeftModelForSequenceClassification peft = trained(TinyModels.gpt2Reward(5));
        float[] adapted = rewards(peft);
        peft.savePretrained(dir);
        PeftModelForSequenceClassification loaded = PeftModelForSequenceClassification.fromPretrained(
                TinyModels.gpt2Reward(5), dir, false);
        assertArrayEquals(adapted, rewards(loaded));
        assertTrue(loaded.parameters().stream().noneMatch(Parameter::requiresGrad), "inference mode freezes everything");
        assertTrue(Math.abs(adapted[0] - rewards(TinyModels.gpt2Reward(5))[0]) > 1e-4, "the adapter changes the rewards");
    }

    @Test
    void disablingTheAdapterGivesTheBaseRewardsWithTheOriginalHead() {
        float[] base = rewards(TinyModels.gpt2Reward(6));
        PeftModelForSequenceClassification peft = trained(TinyModels.gpt2Reward(6));
        float[] adapted = rewards(peft);
        try (var off = peft.disableAdapter()) {
            assertArrayEquals(base, rewards(peft));
        }
        assertArrayEquals(adapted, rewards(peft));
    }

    /**
     * Merged weights {@code W + B A scaling} are rounded once to F32 where the adapter adds {@code x A^T B^T scaling}
     * to {@code x W}: the same sum in another order, so rewards agree to a few F32 ulps of the activations (1e-5
     * relative leaves room for two layers of them).
     */
    @Test
    void mergeAndUnloadGivesAPlainClassifierWithTheAdaptersRewards() throws Exception {
        PeftModelForSequenceClassification peft = trained(TinyModels.gpt2Reward(7));
        float[] adapted = rewards(peft);
        SequenceClassificationModel merged = peft.mergeAndUnload();
        float[] mergedRewards = rewards(merged);
        assertTrue(Compare.relativeError(mergedRewards, adapted) < 1e-5,
                "merged vs adapted " + Compare.relativeError(mergedRewards, adapted));
        assertTrue(merged.namedParameters().keySet().stream().noneMatch(n -> n.contains("lora")));
        merged.savePretrained(dir);
        List<String> saved = new ArrayList<>(Checkpoints.loadFile(dir.resolve("model.safetensors")).keySet());
        assertTrue(saved.contains("score.weight") && saved.stream().noneMatch(n -> n.startsWith("base_model")), saved.toString());
        assertArrayEquals(mergedRewards, rewards(AutoModelForSequenceClassification.fromPretrained(dir)));
    }

    @Test
    void aCausalLmAdapterOnAClassifierFailsNamingTheFileAndKey() throws Exception {
        PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().build()).savePretrained(dir);
        var e = assertThrows(IllegalArgumentException.class,
                () -> PeftModelForSequenceClassification.fromPretrained(TinyModels.gpt2Reward(1), dir, false));
        assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains("task_type")
                && e.getMessage().contains("CAUSAL_LM"), e.getMessage());
    }

    @Test
    void aClassifierAdapterOnACausalLmFailsNamingTheFileAndKey() throws Exception {
        trained(TinyModels.gpt2Reward(1)).savePretrained(dir);
        var e = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(TinyModels.gpt2(1), dir, false));
        assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains("task_type")
                && e.getMessage().contains("SEQ_CLS"), e.getMessage());
    }

    @Test
    void aScoreHeadOfAnotherWidthFailsNamingTheFileAndKeyWithTheModelUnchanged() throws Exception {
        SequenceClassificationModel twoLabels = new SequenceClassificationModel(TinyModels.gpt2(1),
                List.of("LABEL_0", "LABEL_1"), 9);
        PeftModelForSequenceClassification.getPeftModel(twoLabels, LoraConfig.builder().build()).savePretrained(dir);
        SequenceClassificationModel reward = TinyModels.gpt2Reward(1);
        var e = assertThrows(IllegalArgumentException.class,
                () -> PeftModelForSequenceClassification.fromPretrained(reward, dir, true));
        assertTrue(e.getMessage().contains("adapter_model.safetensors")
                && e.getMessage().contains("base_model.model.score.weight") && e.getMessage().contains("[2, 8]")
                && e.getMessage().contains("[1, 8]"), e.getMessage());
        assertTrue(reward.parameters().stream().allMatch(Parameter::requiresGrad), "the model is unchanged");
    }

    @Test
    void allLinearAdaptsTheBodyButNeverTheScoreHead() {
        Map<String, LoraLayer> layers = PeftModelForSequenceClassification.getPeftModel(TinyModels.gpt2Reward(1),
                LoraConfig.builder().targetModules("all-linear").build()).loraLayers();
        assertEquals(8, layers.size(), layers.keySet().toString());
        assertTrue(layers.keySet().stream().noneMatch(n -> n.contains("score")), layers.keySet().toString());
    }
}
