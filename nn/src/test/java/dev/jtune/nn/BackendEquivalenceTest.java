package dev.jtune.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Whole models, forward and backward, on every backend: results agree with the reference backend, and on each backend
 * they are bit-for-bit identical for 1, 2 and 3 threads. Sizes are awkward on purpose (odd widths, vocab 67).
 */
class BackendEquivalenceTest {

    private static final Tensor IDS = Tensor.ofLongs(new long[] {1, 5, 9, 2, 7, 3, 66, 0, 4, 8, 12, 13, 14, 15}, 2, 7);
    private static final Tensor MASK = Tensor.ofLongs(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, 2, 7);
    private static final Tensor LABELS =
            Tensor.ofLongs(new long[] {1, 5, 9, 2, 7, 3, 66, 0, 4, 8, 12, -100, -100, -100}, 2, 7);

    private static final List<Supplier<PreTrainedCausalLM>> MODELS = List.of(
            () -> new GPT2LMHeadModel(GPT2Config.builder()
                    .vocabSize(67).nPositions(16).nEmbd(20).nLayer(2).nHead(4).dropout(0).build(), 11),
            () -> new LlamaForCausalLM(LlamaConfig.builder()
                    .vocabSize(67).hiddenSize(24).intermediateSize(37).numHiddenLayers(2)
                    .numAttentionHeads(6).numKeyValueHeads(2).build(), 12));

    /** The loss, the logits and every gradient. */
    private static List<float[]> lossLogitsAndGradients(PreTrainedCausalLM model) {
        CausalLMOutput out = model.forward(IDS, MASK, LABELS);
        out.loss().backward();
        List<float[]> parts = new ArrayList<>(List.of(new float[] {(float) out.loss().item()}, out.logits().toFloatArray()));
        for (Parameter p : model.parameters()) parts.add(p.grad().toFloatArray());
        return parts;
    }

    @Test
    void everyBackendAgreesWithTheReference() {
        for (Supplier<PreTrainedCausalLM> model : MODELS) {
            Backend<?> previous = Backends.use(Backends.byName("reference"));
            List<float[]> expected;
            try {
                expected = lossLogitsAndGradients(model.get());
            } finally {
                Backends.use(previous);
            }
            for (Backend<?> backend : Backends.available()) {
                Backends.use(backend);
                try {
                    List<float[]> actual = lossLogitsAndGradients(model.get());
                    for (int i = 0; i < expected.size(); i++) {
                        double err = Compare.relativeError(actual.get(i), expected.get(i));
                        assertTrue(err < 1e-5, backend.name() + ": part " + i + ": relative error " + err);
                    }
                } finally {
                    Backends.use(previous);
                }
            }
        }
    }

    @Test
    void resultsAreBitForBitIdenticalForAnyThreadCount() {
        int threads = Parallel.threads();
        try {
            for (Supplier<PreTrainedCausalLM> model : MODELS) {
                Parallel.setThreads(1);
                List<float[]> one = lossLogitsAndGradients(model.get());
                for (int n : new int[] {2, 3}) {
                    Parallel.setThreads(n);
                    List<float[]> many = lossLogitsAndGradients(model.get());
                    for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), many.get(i), n + " threads, part " + i);
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }
}
