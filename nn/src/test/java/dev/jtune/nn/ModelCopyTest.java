package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import org.junit.jupiter.api.Test;

/** {@link AutoModelForCausalLM#copyOf} (DPO's frozen reference): equal weights, its own buffers, one model's memory. */
class ModelCopyTest {

    @Test
    void aCopyHasTheWeightsInItsOwnBuffersAndCostsOneModel() throws Exception {
        PreTrainedCausalLM model = new GPT2LMHeadModel(GPT2Config.preset("gpt2-16m"), 7);
        long weightBytes = 4L * model.numParameters();
        AutoModelForCausalLM.copyOf(model);  // warm up: classes, the pool's first buffers of these sizes

        Allocation<PreTrainedCausalLM> copying = Allocation.of(() -> AutoModelForCausalLM.copyOf(model));
        PreTrainedCausalLM copy = copying.result();
        long allocated = copying.bytes();
        assertTrue(allocated < 1.25 * weightBytes, "copying allocated " + allocated + " bytes for " + weightBytes
                + " bytes of weights (an intermediate copy would be twice as much)");

        model.eval();
        copy.eval();  // no dropout
        Tensor ids = Tensor.ofLongs(new long[] {5, 9, 200, 31, 7, 7}, 1, 6);
        assertArrayEquals(model.logits(ids, null, null, null).toFloatArray(), copy.logits(ids, null, null, null).toFloatArray());
        model.namedParameters().forEach((name, p) ->
                assertNotSame(p.value().storage(), copy.namedParameters().get(name).value().storage(), name));
        try (var noGrad = GradMode.noGrad()) {
            copy.namedParameters().get("transformer.wte.weight").value().mul_(2);
        }
        assertTrue(model.logits(ids, null, null, null).toFloatArray()[0] != copy.logits(ids, null, null, null).toFloatArray()[0],
                "the copy changes on its own (its output head tied to its own embedding)");
    }
}
