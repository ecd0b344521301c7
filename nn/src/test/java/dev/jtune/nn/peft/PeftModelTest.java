package dev.jtune.nn.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.io.SafetensorsWriter;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PeftModel on small random GPT-2 and Llama models: injection, freezing, BF16 bases, merging, files and bad input. */
class PeftModelTest {

    @TempDir
    Path dir;

    private static float[] logits(PreTrainedCausalLM m) {
        return m.logits(TinyModels.ids(7), null, null, null).toFloatArray();
    }

    /** Non-zero B so that the adapter changes the output. */
    private static PeftModel randomAdapter(PreTrainedCausalLM model, LoraConfig.Builder config) {
        return PeftModel.getPeftModel(model, config.initLoraWeights(false).build(), 3);
    }

    @Test
    void aFreshAdapterIsANoOpAndOnlyItsTensorsTrain() {
        float[] before = logits(TinyModels.gpt2(1));
        PeftModel peft = PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().r(2).targetModules("c_attn", "c_fc").build());
        assertArrayEquals(before, logits(peft));
        List<String> trainable = peft.namedParameters().entrySet().stream().filter(e -> e.getValue().requiresGrad())
                .map(Map.Entry::getKey).toList();
        assertEquals(8, trainable.size());
        assertTrue(trainable.contains("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"), trainable.toString());
        peft.forward(TinyModels.ids(7), null, TinyModels.ids(7)).loss().backward();
        peft.namedParameters().forEach((n, p) -> {
            if (p.requiresGrad()) assertNotNull(p.grad(), n);
            else assertNull(p.grad(), n);
        });
        assertTrue(peft.trainableParametersSummary().startsWith("trainable params: "), peft.trainableParametersSummary());
    }

    @Test
    void llamaMergeEqualsTheAdaptedModelAndDisablingGivesTheBaseExactly() {
        float[] base = logits(TinyModels.llama(2, false));
        PeftModel peft = randomAdapter(TinyModels.llama(2, false), LoraConfig.builder().r(3).loraAlpha(6)
                .targetModules("all-linear"));
        float[] adapted = logits(peft);
        try (var off = peft.disableAdapter()) {
            assertArrayEquals(base, logits(peft));
        }
        assertArrayEquals(adapted, logits(peft));
        float[] merged = logits(peft.mergeAndUnload());
        double worst = 0;
        for (int i = 0; i < merged.length; i++) worst = Math.max(worst, Math.abs(merged[i] - adapted[i]));
        assertTrue(worst < 1e-5, "merged vs adapted " + worst);
        assertTrue(Math.abs(adapted[0] - base[0]) > 1e-6, "the adapter changes the output");
    }

    @Test
    void aBf16BaseComputesAsTheF32ModelWithBf16RoundedWeights() {
        PeftModel peft = randomAdapter(TinyModels.gpt2(4), LoraConfig.builder().targetModules("c_attn", "c_proj"));
        GPT2LMHeadModel rounded = TinyModels.gpt2(4);
        PeftModel reference = randomAdapter(rounded, LoraConfig.builder().targetModules("c_attn", "c_proj"));
        for (Parameter p : rounded.parameters()) if (!p.requiresGrad()) p.set(p.value().to(DType.BF16).to(DType.F32));
        peft.frozenBaseTo(DType.BF16);
        long bf16 = peft.parameters().stream().filter(p -> p.value().dtype() == DType.BF16).count();
        assertEquals(peft.parameters().size() - peft.trainableParameters().size(), bf16);
        assertEquals(12, peft.trainableParameters().size());
        assertArrayEquals(logits(reference), logits(peft));
        peft.forward(TinyModels.ids(7), null, TinyModels.ids(7)).loss().backward();
        reference.forward(TinyModels.ids(7), null, TinyModels.ids(7)).loss().backward();
        Map<String, Parameter> ours = peft.namedParameters(), theirs = reference.namedParameters();
        for (var e : ours.entrySet()) {
            if (e.getValue().requiresGrad()) {
                assertEquals(DType.F32, e.getValue().grad().dtype());
                assertArrayEquals(theirs.get(e.getKey()).grad().toFloatArray(), e.getValue().grad().toFloatArray(), e.getKey());
            }
        }
    }

    @Test
    void mergingIntoAHalfPrecisionBaseRoundsTheF32SumOnceAndNamesAnOverflow() {
        PeftModel f32 = randomAdapter(TinyModels.llama(6, false), LoraConfig.builder().r(2).targetModules("q_proj"));
        PeftModel bf16 = randomAdapter(TinyModels.llama(6, false), LoraConfig.builder().r(2).targetModules("q_proj"))
                .frozenBaseTo(DType.BF16);
        for (Parameter p : f32.parameters()) if (!p.requiresGrad()) p.set(p.value().to(DType.BF16).to(DType.F32));
        Map<String, Parameter> wide = f32.mergeAndUnload().namedParameters(), narrow = bf16.mergeAndUnload().namedParameters();
        for (var e : narrow.entrySet()) {
            assertEquals(DType.BF16, e.getValue().value().dtype(), e.getKey());
            assertArrayEquals(wide.get(e.getKey()).value().to(DType.BF16).to(DType.F32).toFloatArray(),
                    e.getValue().value().to(DType.F32).toFloatArray(), e.getKey());
        }

        PeftModel f16 = randomAdapter(TinyModels.llama(6, false), LoraConfig.builder().r(2).targetModules("q_proj"))
                .frozenBaseTo(DType.F16);
        Parameter b = f16.namedParameters().get("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight");
        b.set(b.value().mul(1e6f));
        IllegalStateException e = assertThrows(IllegalStateException.class, f16::mergeAndUnload);
        assertTrue(e.getMessage().contains("model.layers.1.self_attn.q_proj's weight plus its LoRA delta holds Infinity in F16"),
                e.getMessage());
    }

    @Test
    void saveAndLoadRoundTripsATrainableAdapter() throws Exception {
        PeftModel peft = randomAdapter(TinyModels.llama(5, true), LoraConfig.builder().r(2).loraAlpha(5).useRslora(true)
                .targetModules("q_proj", "down_proj"));
        peft.savePretrained(dir);
        Map<String, Tensor> saved = Checkpoints.loadFile(dir.resolve("adapter_model.safetensors"));
        assertEquals(8, saved.size());
        assertArrayEquals(new int[] {2, 12}, saved.get("base_model.model.model.layers.0.mlp.down_proj.lora_A.weight").shape());
        assertArrayEquals(new int[] {8, 2}, saved.get("base_model.model.model.layers.0.mlp.down_proj.lora_B.weight").shape());
        assertTrue(Files.readString(dir.resolve("adapter_config.json")).contains("\"inference_mode\": true"));
        PeftModel again = PeftModel.fromPretrained(TinyModels.llama(5, true), dir, false);
        assertArrayEquals(logits(peft), logits(again));
        assertTrue(again.parameters().stream().noneMatch(Parameter::requiresGrad), "inference mode freezes everything");
    }

    @Test
    void modulesToSaveTrainInFullAreSavedUnderTheirOwnNamesAndRestoredWhenDisabled() throws Exception {
        float[] base = logits(TinyModels.llama(6, false));
        PeftModel peft = PeftModel.getPeftModel(TinyModels.llama(6, false),
                LoraConfig.builder().modulesToSave(List.of("lm_head")).build());
        Parameter head = peft.baseModel().outputEmbeddings();
        assertTrue(head.requiresGrad());
        try (var noGrad = dev.jtune.core.autograd.GradMode.noGrad()) {
            head.value().add_(Tensor.full(0.5, DType.F32, head.shape()));
        }
        try (var off = peft.disableAdapter()) {
            assertArrayEquals(base, logits(peft));
        }
        float[] trained = logits(peft);
        peft.savePretrained(dir);
        Map<String, Tensor> saved = Checkpoints.loadFile(dir.resolve("adapter_model.safetensors"));
        assertTrue(saved.containsKey("base_model.model.lm_head.weight"), saved.keySet().toString());
        assertArrayEquals(trained, logits(PeftModel.fromPretrained(TinyModels.llama(6, false), dir, true)));
    }

    @Test
    void anAdapterWithALargerVocabularyResizesTheBaseFirst() throws Exception {
        GPT2LMHeadModel model = TinyModels.gpt2(8);
        model.resizeTokenEmbeddings(TinyModels.VOCAB + 3);
        PeftModel peft = randomAdapter(model, LoraConfig.builder());
        peft.savePretrained(dir, true);
        Map<String, Tensor> saved = Checkpoints.loadFile(dir.resolve("adapter_model.safetensors"));
        assertArrayEquals(new int[] {TinyModels.VOCAB + 3, 8}, saved.get("base_model.model.transformer.wte.weight").shape());
        assertTrue(saved.containsKey("base_model.model.lm_head.weight"), "a tied head is saved under both names, as PEFT");
        PeftModel again = PeftModel.fromPretrained(TinyModels.gpt2(8), dir, false);
        assertEquals(TinyModels.VOCAB + 3, again.config().vocabSize());
        assertArrayEquals(logits(peft), logits(again));
    }

    private Path tampered(PeftModel peft, String key, int[] shape) throws Exception {
        peft.savePretrained(dir);
        Map<String, Tensor> tensors = new LinkedHashMap<>(Checkpoints.loadFile(dir.resolve("adapter_model.safetensors")));
        tensors.put(key, Tensor.zeros(shape));
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        tensors.forEach((n, t) -> w.addFloats(n, java.util.Arrays.stream(t.shape()).asLongStream().toArray(), t.toFloatArray()));
        w.write(dir.resolve("adapter_model.safetensors"));
        return dir;
    }

    @Test
    void aTensorOfTheWrongShapeFailsNamingTheFileAndKeyWithTheBaseUnchanged() throws Exception {
        String key = "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight";
        Path bad = tampered(PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().r(2).build()), key, new int[] {24, 3});
        GPT2LMHeadModel fresh = TinyModels.gpt2(1);
        var e = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(fresh, bad, true));
        assertTrue(e.getMessage().contains("adapter_model.safetensors") && e.getMessage().contains(key)
                && e.getMessage().contains("[24, 3]") && e.getMessage().contains("[24, 2]"), e.getMessage());
        assertTrue(fresh.namedParameters().keySet().stream().noneMatch(n -> n.contains("lora")));
        assertTrue(fresh.parameters().stream().allMatch(Parameter::requiresGrad));
    }

    @Test
    void anUnknownTensorNameFailsNamingTheFileAndKey() throws Exception {
        String key = "base_model.model.transformer.h.0.attn.q_proj.lora_A.weight";
        Path bad = tampered(PeftModel.getPeftModel(TinyModels.gpt2(1), LoraConfig.builder().build()), key, new int[] {8, 8});
        var e = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(TinyModels.gpt2(1), bad, true));
        assertTrue(e.getMessage().contains("adapter_model.safetensors") && e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void anAdapterForAnotherArchitectureFailsNamingTheConfigFile() throws Exception {
        PeftModel.getPeftModel(TinyModels.llama(1, false), LoraConfig.builder().build()).savePretrained(dir);
        var e = assertThrows(IllegalArgumentException.class, () -> PeftModel.fromPretrained(TinyModels.gpt2(1), dir, true));
        assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains("q_proj"), e.getMessage());
    }

    @Test
    void aFrozenBf16ParameterCannotBeUnfrozen() {
        LlamaForCausalLM model = TinyModels.llama(1, false);
        PeftModel.getPeftModel(model, LoraConfig.builder().build()).frozenBaseTo(DType.BF16);
        assertThrows(IllegalArgumentException.class, () -> model.inputEmbeddings().requiresGrad(true));
    }
}
