package dev.jtune.nn.peft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.nn.Compare;
import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.CausalLMOutput;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.ConfigJson;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PEFT LoRA adapter on tiny-gpt2 against the float64 PyTorch reference of PEFT 0.20's semantics
 * ({@code shared/fixtures/ref/lora-gpt2}, made by tools/make_ref_rlhf.py; see README-rlhf.md): logits and loss with the
 * adapter and with it disabled, the gradient of every lora_A/lora_B, the merged checkpoint, and the saved folder.
 */
class LoraGpt2FixtureTest {

    private static final double TOLERANCE = 1e-4;

    private final Path ref = SharedFixtures.file("fixtures/ref/lora-gpt2");
    private final Path baseDir = SharedFixtures.file("fixtures/hf/tiny-gpt2/model");

    private PeftModel load(boolean trainable) throws Exception {
        return PeftModel.fromPretrained(AutoModelForCausalLM.fromPretrained(baseDir), ref.resolve("adapter"), trainable);
    }

    private JsonNode info() throws Exception {
        return ConfigJson.MAPPER.readTree(ref.resolve("info.json").toFile());
    }

    private static void assertLogitsAtRealTokens(Tensor expected, Tensor actual, Tensor mask, double tolerance) {
        long[] m = mask.toLongArray();
        int t = mask.size(1);
        for (int b = 0; b < mask.size(0); b++) {
            for (int i = 0; i < t; i++) {
                if (m[b * t + i] == 0) continue;
                Compare.assertClose("logits[" + b + ", " + i + "]", actual.narrow(0, b, 1).narrow(1, i, 1),
                        expected.narrow(0, b, 1).narrow(1, i, 1), tolerance);
            }
        }
    }

    @Test
    void logitsLossAndTheGradientOfEveryLoraTensorMatchTheReference() throws Exception {
        PeftModel peft = load(true);
        Map<String, Tensor> golden = Checkpoints.loadFile(ref.resolve("forward.safetensors"));
        CausalLMOutput out = peft.forward(golden.get("input_ids"), golden.get("attention_mask"), golden.get("labels"));
        assertLogitsAtRealTokens(golden.get("logits"), out.logits(), golden.get("attention_mask"), TOLERANCE);
        double loss = golden.get("loss").item();
        assertEquals(info().path("forward").path("loss").asDouble(), loss, 1e-6);
        assertEquals(loss, out.loss().item(), TOLERANCE * loss);
        System.out.printf("lora-gpt2 golden: logits relative error %.2g, loss %.2g%n",
                Compare.relativeError(out.logits(), golden.get("logits")), Math.abs(out.loss().item() / loss - 1));

        out.loss().backward();
        Map<String, Tensor> grads = Checkpoints.loadFile(ref.resolve("grads.safetensors"));
        Map<String, Parameter> params = peft.namedParameters();
        assertEquals(16, grads.size());
        double worstGrad = 0;
        for (var e : grads.entrySet()) {
            Parameter p = params.get(e.getKey());
            assertNotNull(p, e.getKey());
            Compare.assertClose("grad " + e.getKey(), p.grad(), e.getValue(), TOLERANCE);
            worstGrad = Math.max(worstGrad, Compare.relativeError(p.grad(), e.getValue()));
        }
        System.out.printf("lora-gpt2 golden: worst LoRA gradient relative error %.2g%n", worstGrad);
        for (var e : params.entrySet()) {
            if (!grads.containsKey(e.getKey())) assertNull(e.getValue().grad(), "frozen " + e.getKey() + " has a gradient");
        }
    }

    @Test
    void withTheAdapterDisabledTheModelIsExactlyTheBase() throws Exception {
        PeftModel peft = load(false);
        PreTrainedCausalLM plain = AutoModelForCausalLM.fromPretrained(baseDir);
        Map<String, Tensor> golden = Checkpoints.loadFile(ref.resolve("forward.safetensors"));
        Tensor ids = golden.get("input_ids"), mask = golden.get("attention_mask"), labels = golden.get("labels");
        CausalLMOutput base = plain.forward(ids, mask, labels);
        try (var off = peft.disableAdapter()) {
            CausalLMOutput disabled = peft.forward(ids, mask, labels);
            assertArrayEquals(base.logits().toFloatArray(), disabled.logits().toFloatArray());
            double expected = info().path("forward").path("loss_adapter_disabled").asDouble();
            assertEquals(expected, disabled.loss().item(), TOLERANCE * expected);
        }
        CausalLMOutput enabled = peft.forward(ids, mask, labels);
        assertEquals(golden.get("loss").item(), enabled.loss().item(), TOLERANCE * golden.get("loss").item());
    }

    @Test
    void mergeAndUnloadGivesTheMergedCheckpointAndItsLogits() throws Exception {
        PreTrainedCausalLM merged = load(false).mergeAndUnload();
        Map<String, Tensor> expected = Checkpoints.loadFile(ref.resolve("merged/model.safetensors"));
        Map<String, Parameter> params = merged.namedParameters();
        assertEquals(expected.keySet(), params.keySet());
        double worstMerged = 0;
        for (var e : expected.entrySet()) {
            Compare.assertClose("merged " + e.getKey(), params.get(e.getKey()).value(), e.getValue(), 1e-6);
            worstMerged = Math.max(worstMerged, Compare.relativeError(params.get(e.getKey()).value(), e.getValue()));
        }
        System.out.printf("lora-gpt2 golden: worst merged tensor relative error %.2g%n", worstMerged);
        Map<String, Tensor> golden = Checkpoints.loadFile(ref.resolve("forward.safetensors"));
        Tensor logits = merged.logits(golden.get("input_ids"), golden.get("attention_mask"), null, null);
        assertLogitsAtRealTokens(golden.get("logits"), logits, golden.get("attention_mask"), TOLERANCE);
        assertTrue(params.values().stream().allMatch(Parameter::requiresGrad), "merged model trainable again");
    }

    @Test
    void aMergedModelSavesInTheBaseLayout(@TempDir Path out) throws Exception {
        load(false).mergeAndUnload().savePretrained(out);
        Map<String, Tensor> theirs = Checkpoints.loadFile(ref.resolve("merged/model.safetensors"));
        Map<String, Tensor> ours = Checkpoints.loadTensors(out);
        assertEquals(theirs.keySet(), ours.keySet());
        for (String name : theirs.keySet()) Compare.assertClose(name, ours.get(name), theirs.get(name), 1e-6);
    }

    @Test
    void aSavedAdapterHasExactlyPeftsNamesShapesAndConfig(@TempDir Path out) throws Exception {
        PeftModel peft = load(true);
        peft.savePretrained(out);
        Map<String, Tensor> theirs = Checkpoints.loadFile(ref.resolve("adapter/adapter_model.safetensors"));
        Map<String, Tensor> ours = Checkpoints.loadFile(out.resolve("adapter_model.safetensors"));
        assertEquals(theirs.keySet(), ours.keySet());
        for (String name : theirs.keySet()) {
            assertArrayEquals(theirs.get(name).shape(), ours.get(name).shape(), name);
            assertArrayEquals(theirs.get(name).toFloatArray(), ours.get(name).toFloatArray(), name);
        }
        String fixture = Files.readString(ref.resolve("adapter/adapter_config.json"));
        assertEquals(fixture, Files.readString(out.resolve("adapter_config.json")), "byte-identical adapter_config.json");
        try (var f = dev.jtune.core.io.SafetensorsFile.open(out.resolve("adapter_model.safetensors"))) {
            assertEquals(Map.of("format", "pt"), f.metadata());
        }
    }

    @Test
    void aSavedAdapterLoadsBackToTheSameModel(@TempDir Path out) throws Exception {
        PeftModel peft = load(true);
        peft.savePretrained(out);
        PeftModel again = PeftModel.fromPretrained(AutoModelForCausalLM.fromPretrained(baseDir), out, true);
        Map<String, Tensor> golden = Checkpoints.loadFile(ref.resolve("forward.safetensors"));
        Tensor a = peft.logits(golden.get("input_ids"), golden.get("attention_mask"), null, null);
        Tensor b = again.logits(golden.get("input_ids"), golden.get("attention_mask"), null, null);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertEquals(peft.peftConfig(), again.peftConfig());
        assertTrue(again.loraLayers().values().stream().allMatch(l -> l.loraA().requiresGrad()));
    }
}
