package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.Tensor;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link PreTrainedCausalLM#lossSum}, which runs the output head only where there is a label, gives the bits of
 * {@link CausalLMLoss#sum} over the full logits: the loss and every parameter's gradient.
 */
class LossAtLabelsTest {

    private static final Supplier<PreTrainedCausalLM> GPT2 = EngineTwinTest.GPT2, LLAMA = EngineTwinTest.LLAMA;

    /** Three rows right-padded to 7 (pad id 0), as a collator makes them; labels -100 at the padding. */
    private static final Tensor IDS = Tensor.ofLongs(new long[] {
        1, 5, 1, 2, 5, 5, 66,
        7, 4, 9, 0, 0, 0, 0,
        3, 12, 4, 4, 15, 0, 0}, 3, 7);
    private static final Tensor MASK = Tensor.ofLongs(new long[] {
        1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 0, 0, 0, 0,
        1, 1, 1, 1, 1, 0, 0}, 3, 7);
    private static final Tensor LABELS = Tensor.ofLongs(new long[] {
        1, 5, 1, 2, 5, 5, 66,
        7, 4, 9, -100, -100, -100, -100,
        -100, -100, 4, 4, 15, -100, -100}, 3, 7);

    private record Result(float loss, List<float[]> grads) {}

    private static Result run(PreTrainedCausalLM model, Tensor labels, boolean atLabels) {
        Tensor loss = atLabels ? model.lossSum(IDS, MASK, labels)
                : CausalLMLoss.sum(model.logits(IDS, MASK, null, null), labels);
        loss.div(3).backward();
        List<float[]> grads = new ArrayList<>();
        for (Parameter p : model.parameters()) {
            if (p.requiresGrad()) grads.add(p.grad().toFloatArray());
        }
        return new Result((float) loss.item(), grads);
    }

    private static void assertSameBits(Supplier<PreTrainedCausalLM> model, Tensor labels) {
        Result full = run(model.get(), labels, false), atLabels = run(model.get(), labels, true);
        assertEquals(Float.floatToIntBits(full.loss()), Float.floatToIntBits(atLabels.loss()),
                () -> "loss " + full.loss() + " vs " + atLabels.loss());
        assertEquals(full.grads().size(), atLabels.grads().size());
        for (int i = 0; i < full.grads().size(); i++) {
            assertArrayEquals(full.grads().get(i), atLabels.grads().get(i), "parameter " + i);
        }
    }

    @Test
    void tiedGpt2() {
        assertSameBits(GPT2, LABELS);
    }

    @Test
    void untiedLlama() {
        assertSameBits(LLAMA, LABELS);
    }

    @Test
    void loraAdapters() {
        assertSameBits(() -> PeftModel.getPeftModel(GPT2.get(),
                LoraConfig.builder().r(4).loraAlpha(8).targetModules("c_attn", "c_fc").build()), LABELS);
    }

    /** Every position labelled (each row's last has no next label), and no label at all (the plain path). */
    @Test
    void noPaddingAndNoLabels() {
        assertSameBits(GPT2, IDS);
        long[] none = new long[21];
        Arrays.fill(none, CausalLMLoss.IGNORE_INDEX);
        Tensor noLabels = Tensor.ofLongs(none, 3, 7);
        Result full = run(GPT2.get(), noLabels, false), atLabels = run(GPT2.get(), noLabels, true);
        assertEquals(full.loss(), atLabels.loss());
    }

    /** {@link CausalLMLoss#atLabels}: the full logits' rows that predict a label, in batch order, and the same loss. */
    @Test
    void atLabelsKeepsTheScoredRowsOfTheFullLogits() {
        PreTrainedCausalLM model = GPT2.get();
        Tensor full = model.logits(IDS, MASK, null, null);  // (3, 7, V)
        CausalLMLoss.AtLabels at = CausalLMLoss.atLabels(model.hiddenStates(IDS, MASK, null, null), LABELS,
                model::outputHead);
        int[][] scored = {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {1, 0}, {1, 1}, {2, 1}, {2, 2}, {2, 3}};
        assertArrayEquals(new long[] {5, 1, 2, 5, 5, 66, 4, 9, 4, 4, 15}, at.targets().toLongArray());
        assertEquals(scored.length, at.logits().size(0));
        for (int s = 0; s < scored.length; s++) {
            float[] expected = full.narrow(0, scored[s][0], 1).narrow(1, scored[s][1], 1).reshape(-1).toFloatArray();
            assertArrayEquals(expected, at.logits().narrow(0, s, 1).reshape(-1).toFloatArray(), "row " + s);
        }
        assertEquals(Float.floatToIntBits((float) CausalLMLoss.sum(full, LABELS).item()),
                Float.floatToIntBits((float) at.lossSum().item()));

        long[] none = new long[21];
        Arrays.fill(none, CausalLMLoss.IGNORE_INDEX);
        CausalLMLoss.AtLabels nothing = CausalLMLoss.atLabels(model.hiddenStates(IDS, MASK, null, null),
                Tensor.ofLongs(none, 3, 7), model::outputHead);
        assertEquals(0, nothing.logits().size(0));
        assertEquals(0.0, nothing.lossSum().item());
    }
}
