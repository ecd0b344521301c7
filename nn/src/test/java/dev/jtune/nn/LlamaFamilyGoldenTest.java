package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.llama.LlamaConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tiny-qwen2 (q/k/v bias, tied), tiny-qwen3 (q_norm/k_norm, head_dim 16 != 48 / 4, 5.x config layout), tiny-mistral
 * (sliding window 4 over 10 tokens) and tiny-llama3 (llama3 rope_scaling, tied) against the float64 PyTorch reference
 * of {@code shared/fixtures/ref} (README there): logits of the real positions, loss, the gradient of every parameter,
 * savePretrained's files, and cached decoding against the full forward.
 */
class LlamaFamilyGoldenTest {

    /** The README's bound: an exact float32 implementation lands within 2.6e-7 (logits) and 1.6e-6 (gradients). */
    private static final double LOGITS = 1e-5, GRADS = 1e-4;

    @TempDir
    Path out;

    private static Path fixture(String name) {
        return SharedFixtures.file("fixtures/ref/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-qwen3", "tiny-mistral", "tiny-llama3"})
    void logitsLossAndEveryGradientMatchTheReference(String name) throws Exception {
        Path dir = fixture(name);
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir.resolve("model"));
        Map<String, Tensor> golden = Checkpoints.loadFile(dir.resolve("forward.safetensors"));
        Tensor ids = golden.get("input_ids"), mask = golden.get("attention_mask");
        CausalLMOutput result = model.forward(ids, mask, golden.get("labels"));
        double logits = realRowsError(result.logits(), golden.get("logits"), mask);
        double loss = Math.abs(result.loss().item() - golden.get("loss").item()) / Math.abs(golden.get("loss").item());
        result.loss().backward();
        Map<String, Tensor> grads = Checkpoints.loadFile(dir.resolve("grads.safetensors"));
        assertEquals(new TreeSet<>(grads.keySet()), new TreeSet<>(model.namedParameters().keySet()),
                "a gradient for every parameter, each once");
        double worst = 0;
        String worstName = "";
        for (var e : grads.entrySet()) {
            Tensor grad = model.namedParameters().get(e.getKey()).grad();
            double err = Compare.relativeError(grad.toFloatArray(), e.getValue().toFloatArray());
            assertTrue(err < GRADS, name + " grad " + e.getKey() + ": relative error " + err);
            if (err > worst) {
                worst = err;
                worstName = e.getKey();
            }
        }
        System.out.printf("%s: logits %.2e, loss %.2e, worst gradient %.2e (%s)%n", name, logits, loss, worst, worstName);
        assertTrue(logits < LOGITS, name + " logits: relative error " + logits);
        assertTrue(loss < LOGITS, name + " loss: relative error " + loss);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-qwen3", "tiny-mistral", "tiny-llama3"})
    void savePretrainedWritesTheReferenceKeysAndConfigAndReloadsToTheSameLogits(String name) throws Exception {
        Path model = fixture(name).resolve("model");
        Compare.assertSavesLikeTransformers(model, out);  // same key set, shapes, values, every config.json field
        Tensor ids = Checkpoints.loadFile(fixture(name).resolve("forward.safetensors")).get("input_ids");
        try (var scope = GradMode.noGrad()) {
            assertArrayEquals(AutoModelForCausalLM.fromPretrained(model).logits(ids, null, null, null).toFloatArray(),
                    AutoModelForCausalLM.fromPretrained(out).logits(ids, null, null, null).toFloatArray());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-qwen3", "tiny-mistral", "tiny-llama3"})
    void cachedDecodingOfTheTenTokenRowGivesTheFullForwardsLogits(String name) throws Exception {
        Path dir = fixture(name);
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir.resolve("model"));
        long[] row = Arrays.copyOf(Checkpoints.loadFile(dir.resolve("forward.safetensors")).get("input_ids")
                .toLongArray(), 10);  // row 0: 10 real tokens, more than tiny-mistral's window of 4
        LlamaFamilyProperties.assertCacheMatchesFullForward(model, row, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-qwen3", "tiny-mistral", "tiny-llama3"})
    void bothConfigLayoutsReadAsTheSameConfig(String name) throws Exception {
        ConfigJson file = ConfigJson.read(fixture(name).resolve("model"));
        ObjectNode other = LlamaFamilyProperties.otherLayout(file.node());
        assertEquals(LlamaConfig.from(file).toBuilder().raw(null).build(),
                LlamaConfig.from(new ConfigJson(other, "other layout")).toBuilder().raw(null).build());
    }

    /** max |diff| / max |reference| over the positions where {@code mask == 1} (padded rows carry no meaning). */
    private static double realRowsError(Tensor actual, Tensor expected, Tensor mask) {
        assertArrayEquals(expected.shape(), actual.shape(), "logits shape");
        float[] a = actual.toFloatArray(), e = expected.toFloatArray();
        long[] m = mask.to(DType.I64).toLongArray();
        int vocab = expected.size(-1);
        double diff = 0, scale = 0;
        for (int p = 0; p < m.length; p++) {
            if (m[p] == 0) continue;
            for (int v = p * vocab; v < (p + 1) * vocab; v++) {
                diff = Math.max(diff, Math.abs(a[v] - e[v]));
                scale = Math.max(scale, Math.abs(e[v]));
            }
        }
        return diff / scale;
    }
}
