package dev.jtune.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.train.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Property: one optimizer step over k micro-batches of m ragged rows (the last window possibly partial) computes the
 * loss and gradient of one batch of all those rows. AdamW with a huge epsilon makes the update lr * g / eps, linear
 * in the gradient, so equal weights after the step mean equal gradients.
 */
class GradientAccumulationProperties {

    @Property(tries = 12)
    void accumulatingKBatchesOfMRowsEqualsOneBatchOfAll(@ForAll @IntRange(min = 1, max = 3) int k,
                                                        @ForAll @IntRange(min = 1, max = 3) int m,
                                                        @ForAll @IntRange(min = 0, max = 2) int missing,
                                                        @ForAll @IntRange(min = 0, max = 1000) int seed) throws IOException {
        int n = Math.max((k - 1) * m + 1, k * m - missing);
        Dataset data = TinyModels.rows(n, 12, seed);
        Run accumulated = run(data, m, k), whole = run(data, n, 1);
        assertEquals(whole.loss, accumulated.loss, 1e-6 * whole.loss, "step loss");
        assertEquals(whole.gradNorm, accumulated.gradNorm, 1e-5 * whole.gradNorm, "gradient norm");
        for (var e : whole.weights.entrySet()) {
            float[] a = accumulated.weights.get(e.getKey()), b = e.getValue();
            for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-6, e.getKey() + "[" + i + "]");
        }
    }

    private record Run(double loss, double gradNorm, Map<String, float[]> weights) {}

    private static Run run(Dataset data, int batchSize, int accumulation) throws IOException {
        PreTrainedCausalLM model = TinyModels.gpt2(5, 0);
        Path outputDir = Files.createTempDirectory("accum");
        TrainingArguments args = TrainingArguments.builder().outputDir(outputDir.toString())
                .perDeviceTrainBatchSize(batchSize).gradientAccumulationSteps(accumulation).maxSteps(1)
                .learningRate(1e3).adamEpsilon(1e3).maxGradNorm(1e9).loggingSteps(1)
                .trainSamplingStrategy(SamplingStrategy.SEQUENTIAL).saveStrategy(IntervalStrategy.NO).disableTqdm(true).build();
        Trainer trainer = new Trainer(model, args, null, data, null, null, List.of());
        try {
            trainer.train();
        } finally {
            CheckpointIO.deleteRecursively(outputDir);
        }
        Map<String, Object> log = trainer.state().logHistory().getFirst();
        Map<String, float[]> weights = new java.util.LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> weights.put(name, p.value().toFloatArray()));
        return new Run((Double) log.get("loss"), (Double) log.get("grad_norm"), weights);
    }
}
