package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jtune.core.Tensor;
import dev.jtune.core.testing.SharedFixtures;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * tiny-gpt2 against transformers 5.17 ({@code shared/fixtures/hf/tiny-gpt2}, made by tools/hf_golden.py): logits at
 * every non-padded position, the loss, and the gradient of every parameter, to a relative error below 1e-4.
 */
class GPT2GoldenTest {

    private static final double TOLERANCE = 1e-4;

    private final Path dir = SharedFixtures.file("fixtures/hf/tiny-gpt2");

    @Test
    void paddedBatchLogitsLossAndEveryGradientMatchTransformers() throws Exception {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir.resolve("model"));
        Map<String, Tensor> golden = Checkpoints.loadFile(dir.resolve("forward.safetensors"));
        Tensor mask = golden.get("attention_mask");
        CausalLMOutput out = model.forward(golden.get("input_ids"), mask, golden.get("labels"));

        long[] m = mask.toLongArray();
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 8; t++) {
                if (m[b * 8 + t] == 0) continue;
                Compare.assertClose("logits[" + b + ", " + t + "]", out.logits().narrow(0, b, 1).narrow(1, t, 1),
                        golden.get("logits").narrow(0, b, 1).narrow(1, t, 1), TOLERANCE);
            }
        }
        assertEquals(golden.get("loss").item(), out.loss().item(), TOLERANCE * golden.get("loss").item());

        out.loss().backward();
        Map<String, Tensor> grads = Checkpoints.loadFile(dir.resolve("grads.safetensors"));
        Map<String, Parameter> params = model.namedParameters();
        assertEquals(grads.keySet(), params.keySet());
        for (var e : grads.entrySet()) {
            assertNotNull(params.get(e.getKey()).grad(), e.getKey());
            Compare.assertClose("grad " + e.getKey(), params.get(e.getKey()).grad(), e.getValue(), TOLERANCE);
        }
    }

    @Test
    void unpaddedSequenceLogitsLossAndGradientsMatchTransformers() throws Exception {
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir.resolve("model"));
        Map<String, Tensor> golden = Checkpoints.loadFile(dir.resolve("forward_nopad.safetensors"));
        Tensor ids = golden.get("input_ids");
        CausalLMOutput out = model.forward(ids, null, ids);
        Compare.assertClose("last logits", out.logits().narrow(1, 11, 1).reshape(-1), golden.get("logits_last"), TOLERANCE);
        assertEquals(golden.get("loss").item(), out.loss().item(), TOLERANCE * golden.get("loss").item());
        out.loss().backward();
        Map<String, Tensor> grads = Checkpoints.loadFile(dir.resolve("grads_nopad_no_wte.safetensors"));
        for (var e : grads.entrySet()) {
            Compare.assertClose("grad " + e.getKey(), model.namedParameters().get(e.getKey()).grad(), e.getValue(), TOLERANCE);
        }
    }

    @Test
    void aRightPaddedRowGivesTransformersLogitsAtItsRealTokensAndTheLossOfTheUnpaddedRows() throws Exception {
        // forward.safetensors has no padded row (its attention_mask is all ones), so row 1 is padded here: its last 3
        // tokens become [PAD] with mask 0 and label -100. A causal model's logits at the 5 real tokens must still be
        // transformers' (they never see later positions), and the loss the token-weighted mean of the two rows alone.
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir.resolve("model"));
        Map<String, Tensor> golden = Checkpoints.loadFile(dir.resolve("forward.safetensors"));
        Tensor ids = golden.get("input_ids");                            // (2, 8)
        int real = 5, pad = model.config().padTokenId();
        long[] padded = ids.toLongArray(), mask = new long[16], labels = ids.toLongArray();
        java.util.Arrays.fill(mask, 1);
        for (int t = real; t < 8; t++) {
            padded[8 + t] = pad;
            mask[8 + t] = 0;
            labels[8 + t] = CausalLMLoss.IGNORE_INDEX;
        }
        CausalLMOutput out = model.forward(Tensor.ofLongs(padded, 2, 8), Tensor.ofLongs(mask, 2, 8),
                Tensor.ofLongs(labels, 2, 8));
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < (b == 0 ? 8 : real); t++) {
                Compare.assertClose("logits[" + b + ", " + t + "]", out.logits().narrow(0, b, 1).narrow(1, t, 1),
                        golden.get("logits").narrow(0, b, 1).narrow(1, t, 1), TOLERANCE);
            }
        }
        Tensor row0 = ids.narrow(0, 0, 1), row1 = ids.narrow(0, 1, 1).narrow(1, 0, real).contiguous();
        CausalLMOutput alone = model.forward(row1, null, row1);
        Compare.assertClose("padded row 1 vs the row alone", out.logits().narrow(0, 1, 1).narrow(1, 0, real),
                alone.logits(), 1e-6);
        double expected = (model.forward(row0, null, row0).loss().item() * 7 + alone.loss().item() * (real - 1))
                / (7 + real - 1);
        assertEquals(expected, out.loss().item(), 1e-6 * expected);
    }

    @Test
    void savePretrainedWritesWhatTransformersWrote(@org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        Compare.assertSavesLikeTransformers(dir.resolve("model"), out);
    }
}
