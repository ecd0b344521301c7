package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Engine;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The engine's shortcuts (a leaf keeps a gradient's buffer, accumulates in place, an embedding scatters straight into
 * the tied head's gradient) give the same bits as its naive twin {@link Engine#backwardPlain}, over two backward
 * passes (gradient accumulation).
 */
class EngineTwinTest {

    /** Tiny models (also {@link LossAtLabelsTest}'s): GPT-2 with a tied head, Llama with grouped-query attention. */
    static final Supplier<PreTrainedCausalLM> GPT2 = () -> new GPT2LMHeadModel(GPT2Config.builder()
            .vocabSize(67).nPositions(16).nEmbd(20).nLayer(2).nHead(4).dropout(0).build(), 11);
    static final Supplier<PreTrainedCausalLM> LLAMA = () -> new LlamaForCausalLM(LlamaConfig.builder()
            .vocabSize(67).hiddenSize(24).intermediateSize(37).numHiddenLayers(2).numAttentionHeads(6)
            .numKeyValueHeads(2).build(), 12);

    private static final Tensor REPEATED = Tensor.ofLongs(new long[] {1, 5, 1, 2, 5, 5, 66, 0, 4, 1, 12, 4, 4, 15}, 2, 7);

    private static List<float[]> gradients(PreTrainedCausalLM model, Tensor ids, boolean plain) {
        for (int pass = 0; pass < 2; pass++) {
            Tensor loss = model.forward(ids, null, ids).loss();
            if (plain) Engine.backwardPlain(loss, Tensor.scalar(1, loss.dtype()));
            else Engine.backward(loss, Tensor.scalar(1, loss.dtype()));
        }
        List<float[]> grads = new ArrayList<>();
        for (Parameter p : model.parameters()) grads.add(p.grad().toFloatArray());
        return grads;
    }

    private static void assertSameBits(Supplier<PreTrainedCausalLM> model, Tensor ids) {
        List<float[]> fast = gradients(model.get(), ids, false), plain = gradients(model.get(), ids, true);
        for (int i = 0; i < fast.size(); i++) assertArrayEquals(plain.get(i), fast.get(i), "parameter " + i);
    }

    @Test
    void untiedLlamaGradientsAreBitIdentical() {
        assertSameBits(LLAMA, REPEATED);
    }

    /** Repeated tokens: the lookup's rows for one token are summed before they reach the tied head's gradient. */
    @Test
    void tiedGpt2GradientsAreBitIdenticalWithRepeatedTokens() {
        assertSameBits(GPT2, REPEATED);
    }
}
