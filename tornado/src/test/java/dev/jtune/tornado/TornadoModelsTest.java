package dev.jtune.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.CpuBackend;
import dev.jtune.core.testing.SharedFixtures;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.CausalLMOutput;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.train.optim.AdamW;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Whole models on the tornado backend: tiny GPT-2 and tiny Llama forward and backward against transformers'
 * ({@code shared/fixtures/hf}) to a relative error below 1e-4, as on the CPU; and a short training run whose loss
 * curve follows the CPU backend's to 1e-4 relative.
 */
class TornadoModelsTest {

    private static final double TOLERANCE = 1e-4;

    @Test
    void tinyGpt2LogitsLossAndEveryGradientMatchTransformers() throws Exception {
        Path dir = SharedFixtures.file("fixtures/hf/tiny-gpt2");
        Map<String, Tensor> golden = Checkpoints.loadFile(dir.resolve("forward.safetensors"));
        assertMatchesTransformers(dir, golden.get("attention_mask"), golden.get("labels"), golden,
                Checkpoints.loadFile(dir.resolve("grads.safetensors")));
    }

    @Test
    void tinyLlamaLogitsLossAndGradientsMatchTransformers() throws Exception {
        Path dir = SharedFixtures.file("fixtures/hf/tiny-llama");
        Map<String, Tensor> golden = Checkpoints.loadFile(dir.resolve("forward.safetensors"));
        assertMatchesTransformers(dir, null, golden.get("input_ids"), golden,
                Checkpoints.loadFile(dir.resolve("grads_no_embeddings.safetensors")));
    }

    /** Loads the model, runs forward and backward on the device, and compares logits, loss and gradients. */
    private static void assertMatchesTransformers(Path dir, Tensor mask, Tensor labels, Map<String, Tensor> golden,
                                                  Map<String, Tensor> grads) throws Exception {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir.resolve("model"));
        onDevice(() -> {
            CausalLMOutput out = model.forward(golden.get("input_ids"), mask, labels);
            assertClose("logits", golden.get("logits"), out.logits());
            assertEquals(golden.get("loss").item(), out.loss().item(), TOLERANCE * golden.get("loss").item(), "loss");
            out.loss().backward();
            for (var e : grads.entrySet()) {
                assertClose("grad " + e.getKey(), e.getValue(), model.namedParameters().get(e.getKey()).grad());
            }
            return null;
        });
    }

    @Test
    void aShortTrainingRunFollowsTheCpuLossCurve() {
        float[] cpu = lossCurve(new CpuBackend());
        float[] device = lossCurve(TornadoTestBackend.INSTANCE);
        for (int step = 0; step < cpu.length; step++) {
            assertEquals(cpu[step], device[step], TOLERANCE * Math.abs(cpu[step]), "loss at step " + step);
        }
        assertTrue(cpu[cpu.length - 1] < cpu[0], "the run learns: " + cpu[0] + " -> " + cpu[cpu.length - 1]);
    }

    /** Eight AdamW steps of a small GPT-2 (same seed, same batch) on {@code backend}; the loss before each step. */
    private static float[] lossCurve(Backend<?> backend) {
        Backend<?> previous = Backends.use(backend);
        try {
            GPT2LMHeadModel model = new GPT2LMHeadModel(GPT2Config.builder()
                    .vocabSize(67).nPositions(16).nEmbd(32).nLayer(2).nHead(4).dropout(0).build(), 7);
            AdamW optimizer = new AdamW(List.of(new AdamW.ParamGroup(model.namedParameters(), 0.01)), 3e-3, 0.9,
                    0.999, 1e-8);
            Tensor ids = Tensor.ofLongs(new long[] {1, 5, 9, 2, 7, 3, 66, 0, 4, 8, 12, 13, 14, 15, 16, 17}, 2, 8);
            float[] losses = new float[8];
            for (int step = 0; step < losses.length; step++) {
                model.zeroGrad();
                Tensor loss = model.forward(ids, null, ids).loss();
                losses[step] = (float) loss.item();
                loss.backward();
                optimizer.step();
            }
            return losses;
        } finally {
            Backends.use(previous);
        }
    }

    private static <T> T onDevice(Supplier<T> work) {
        Backend<?> previous = Backends.use(TornadoTestBackend.INSTANCE);
        try {
            return work.get();
        } finally {
            Backends.use(previous);
        }
    }

    /** {@code max |got - want| / max |want|} below the tolerance. */
    private static void assertClose(String what, Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        float[] w = want.toFloatArray(), g = got.toFloatArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < w.length; i++) {
            diff = Math.max(diff, Math.abs(g[i] - w[i]));
            scale = Math.max(scale, Math.abs(w[i]));
        }
        assertTrue(diff <= TOLERANCE * scale, what + ": relative error " + diff / scale);
    }
}
