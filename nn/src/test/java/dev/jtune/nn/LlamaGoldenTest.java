package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * tiny-llama (RoPE, grouped-query attention, SwiGLU, RMSNorm, untied head) against transformers 5.17
 * ({@code shared/fixtures/hf/tiny-llama}): logits, loss and every non-embedding gradient, relative error below 1e-4.
 */
class LlamaGoldenTest {

    @Test
    void logitsLossAndGradientsMatchTransformers() throws Exception {
        Path dir = SharedFixtures.file("fixtures/hf/tiny-llama");
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir.resolve("model"));
        Map<String, Tensor> golden = Checkpoints.loadFile(dir.resolve("forward.safetensors"));
        Tensor ids = golden.get("input_ids");
        CausalLMOutput out = model.forward(ids, null, ids);
        Compare.assertClose("logits", out.logits(), golden.get("logits"), 1e-4);
        assertEquals(golden.get("loss").item(), out.loss().item(), 1e-3);
        out.loss().backward();
        Map<String, Tensor> grads = Checkpoints.loadFile(dir.resolve("grads_no_embeddings.safetensors"));
        for (var e : grads.entrySet()) {
            Compare.assertClose("grad " + e.getKey(), model.namedParameters().get(e.getKey()).grad(), e.getValue(), 1e-4);
        }
    }

    @Test
    void savePretrainedWritesWhatTransformersWrote(@org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        Compare.assertSavesLikeTransformers(SharedFixtures.file("fixtures/hf/tiny-llama/model"), out);
    }
}
