package dev.jtune.train.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.core.Tensor;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchedulesAndClippingTest {

    private static double[] factors(SchedulerType type, int warmup, int total) {
        double[] f = new double[total + 1];
        for (int s = 0; s <= total; s++) f[s] = LRScheduler.lambda(type, s, warmup, total);
        return f;
    }

    @Test
    void schedulesMatchHandComputedTransformersLambdas() {
        // warmup 2 of 10 steps: step/2 while warming up, then the schedule over the remaining 8.
        assertArrayEquals(new double[] {0, 0.5, 1, 7 / 8.0, 6 / 8.0, 5 / 8.0, 4 / 8.0, 3 / 8.0, 2 / 8.0, 1 / 8.0, 0},
                factors(SchedulerType.LINEAR, 2, 10), 1e-15);
        double[] cosine = factors(SchedulerType.COSINE, 2, 10);
        assertEquals(0.5, cosine[1], 1e-15);
        assertEquals(1.0, cosine[2], 1e-15);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 2 / 8)), cosine[4], 1e-15);
        assertEquals(0.5, cosine[6], 1e-15);
        assertEquals(0.0, cosine[10], 1e-15);
        assertArrayEquals(new double[] {0, 0.5, 1, 1, 1}, factors(SchedulerType.CONSTANT_WITH_WARMUP, 2, 4), 1e-15);
        assertArrayEquals(new double[] {1, 1, 1}, factors(SchedulerType.CONSTANT, 0, 2), 1e-15);
        assertArrayEquals(new double[] {1, 0.5, 0}, factors(SchedulerType.LINEAR, 0, 2), 1e-15);

        LRScheduler s = new LRScheduler(SchedulerType.LINEAR, 1e-3, 0, 8);
        assertEquals(1e-3, s.lr(), 0);
        s.step();
        assertEquals(0.000875, s.lr(), 1e-18);
        assertEquals(SchedulerType.COSINE, SchedulerType.of("cosine"));
    }

    @Test
    void clipGradNormScalesByMaxNormOverTotalNormAndReturnsTheNormBefore() {
        Parameter a = new Parameter(Tensor.of(new float[] {3, 4}, 2)), b = new Parameter(Tensor.of(new float[] {12}, 1));
        a.value().setGrad(Tensor.of(new float[] {3, 4}, 2));
        b.value().setGrad(Tensor.of(new float[] {12}, 1));
        assertEquals(13, GradClipping.clipGradNorm(List.of(a, b), 20), 0);
        assertArrayEquals(new float[] {3, 4}, a.grad().toFloatArray(), "below max_norm: unchanged");
        assertEquals(13, GradClipping.clipGradNorm(List.of(a, b), 1), 0);
        float coef = 1f / (13f + 1e-6f);
        assertArrayEquals(new float[] {3 * coef, 4 * coef}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {12 * coef}, b.grad().toFloatArray());
    }

    /** The trainer's path: the coefficient handed to AdamW, which scales each gradient as it reads it. */
    @Test
    void aStepWithTheClipCoefficientIsClippingInPlaceThenAStepBitForBit() {
        for (double maxNorm : new double[] {0.05, 1e9}) {  // clipped, and left alone
            Map<String, Parameter> inPlace = parameters(), fused = parameters();
            AdamW a = new AdamW(List.of(new AdamW.ParamGroup(inPlace, 0.01)), 1e-2, 0.9, 0.999, 1e-8);
            AdamW b = new AdamW(List.of(new AdamW.ParamGroup(fused, 0.01)), 1e-2, 0.9, 0.999, 1e-8);
            java.util.Random rnd = new java.util.Random(5);
            for (int step = 0; step < 3; step++) {
                for (String name : inPlace.keySet()) {  // each step's gradients, the same for both (norm about 1.3)
                    float[] grad = new float[37];
                    for (int i = 0; i < grad.length; i++) grad[i] = (float) rnd.nextGaussian() * 0.15f;
                    inPlace.get(name).value().setGrad(Tensor.of(grad.clone(), grad.length));
                    fused.get(name).value().setGrad(Tensor.of(grad, grad.length));
                }
                double norm = GradClipping.clipGradNorm(inPlace.values(), maxNorm);
                a.step();
                float total = GradClipping.totalNorm(fused.values());
                assertEquals(norm, total, 0, "the same norm");
                b.step(GradClipping.clipCoefficient(total, maxNorm));
            }
            for (String name : inPlace.keySet()) {
                assertArrayEquals(inPlace.get(name).value().toFloatArray(), fused.get(name).value().toFloatArray(),
                        name + ", max norm " + maxNorm);
            }
        }
    }

    /** Two parameters of 37 random values. */
    private static Map<String, Parameter> parameters() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        java.util.Random rnd = new java.util.Random(4);
        for (String name : List.of("w", "b")) {
            float[] value = new float[37];
            for (int i = 0; i < value.length; i++) value[i] = (float) rnd.nextGaussian();
            params.put(name, new Parameter(Tensor.of(value, value.length)));
        }
        return params;
    }

    @Test
    void weightDecaySkipsBiasesAndLayerNormsAsTransformersDoes() {
        var model = new GPT2LMHeadModel(GPT2Config.builder()
                .vocabSize(20).nPositions(8).nEmbd(8).nLayer(1).nHead(2).dropout(0).build(), 1);
        assertEquals(Set.of("transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.attn.c_attn.weight",
                "transformer.h.0.attn.c_proj.weight", "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_proj.weight"),
                DecayParameters.names(model));
        var llama = new LlamaForCausalLM(LlamaConfig.builder()
                .vocabSize(20).hiddenSize(8).intermediateSize(16).numHiddenLayers(1)
                .numAttentionHeads(2).numKeyValueHeads(1).build(), 1);
        Set<String> decay = DecayParameters.names(llama);
        for (String name : llama.namedParameters().keySet()) {
            assertEquals(!name.contains("norm"), decay.contains(name), name);
        }
    }
}
