package dev.jtune.train.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.Tensor;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link CompletionLogProbs#atCompletions}, which runs the output head only where a completion token is predicted,
 * gives the bits of {@link CompletionLogProbs#sum} over the full logits: the log-probs, every gradient, and the logits
 * the metrics read.
 */
class CompletionLogProbsTest {

    private static final Supplier<PreTrainedCausalLM> GPT2 = () -> new GPT2LMHeadModel(GPT2Config.builder()
            .vocabSize(41).nPositions(12).nEmbd(16).nLayer(1).nHead(2).dropout(0).build(), 5);
    private static final Supplier<PreTrainedCausalLM> LLAMA = () -> new LlamaForCausalLM(LlamaConfig.builder()
            .vocabSize(41).hiddenSize(16).intermediateSize(29).numHiddenLayers(1).numAttentionHeads(4)
            .numKeyValueHeads(2).build(), 6);

    /** Two pairs, chosen rows first: prompt, completion, right padding (pad id 0), as the DPO collator lays them out. */
    private static final Tensor IDS = Tensor.ofLongs(new long[] {
        3, 8, 9, 14, 2, 0, 0,
        3, 5, 6, 7, 21, 30, 2,
        3, 8, 9, 40, 0, 0, 0,
        3, 5, 6, 1, 11, 2, 0}, 4, 7);
    private static final Tensor MASK = Tensor.ofLongs(new long[] {
        1, 1, 1, 1, 1, 0, 0,
        1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 0, 0, 0,
        1, 1, 1, 1, 1, 1, 0}, 4, 7);
    private static final Tensor COMPLETION = Tensor.ofLongs(new long[] {
        0, 0, 0, 1, 1, 0, 0,
        0, 0, 0, 0, 1, 1, 1,
        0, 0, 0, 1, 0, 0, 0,
        0, 0, 0, 1, 1, 1, 0}, 4, 7);

    private record Result(float[] logps, List<float[]> grads) {}

    private static Result run(PreTrainedCausalLM model, Tensor completion, boolean atCompletions) {
        Tensor logps = atCompletions
                ? CompletionLogProbs.atCompletions(model.hiddenStates(IDS, MASK, null, null), IDS, completion,
                        model::outputHead).logps()
                : CompletionLogProbs.sum(model.logits(IDS, MASK, null, null), IDS, completion);
        // A loss that weighs the rows differently, so a gradient sent to the wrong row shows.
        logps.mul(Tensor.of(new float[] {1f, -0.5f, 2f, 0.25f}, 4)).sum().backward();
        List<float[]> grads = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            if (p.requiresGrad()) grads.add(p.grad().toFloatArray());
        }
        return new Result(logps.detach().toFloatArray(), grads);
    }

    private static void assertSameBits(Supplier<PreTrainedCausalLM> model, Tensor completion) {
        Result full = run(model.get(), completion, false), scored = run(model.get(), completion, true);
        assertArrayEquals(full.logps(), scored.logps(), "log-probs");
        assertEquals(full.grads().size(), scored.grads().size());
        for (int i = 0; i < full.grads().size(); i++) {
            assertArrayEquals(full.grads().get(i), scored.grads().get(i), "parameter " + i);
        }
    }

    @Test
    void loraPolicyOnATiedGpt2() {
        assertSameBits(() -> PeftModel.getPeftModel(GPT2.get(),
                LoraConfig.builder().r(2).loraAlpha(4).targetModules("c_attn").build()), COMPLETION);
    }

    @Test
    void untiedLlama() {
        assertSameBits(LLAMA, COMPLETION);
    }

    @Test
    void noCompletionTokensTakeThePlainPath() {
        assertSameBits(GPT2, Tensor.zeros(COMPLETION.dtype(), 4, 7));
    }

    @Test
    void theScoredLogitsAreTheFullLogitsAtTheCompletionPositions() {
        PreTrainedCausalLM model = GPT2.get();
        CompletionLogProbs.Scored scored = CompletionLogProbs.atCompletions(model.hiddenStates(IDS, MASK, null, null),
                IDS, COMPLETION, model::outputHead);
        // Position t predicts token t + 1: the completion tokens of row 0 are at 3 and 4, so positions 2 and 3.
        assertArrayEquals(new int[] {2, 3, 10, 11, 12, 16, 23, 24, 25}, scored.positions());
        Tensor full = model.logits(IDS, MASK, null, null).reshape(28, 41);
        for (int s = 0; s < scored.positions().length; s++) {
            assertArrayEquals(full.narrow(0, scored.positions()[s], 1).contiguous().toFloatArray(),
                    scored.logits().narrow(0, s, 1).contiguous().toFloatArray(), "position " + scored.positions()[s]);
        }
    }
}
