package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.ModelInputs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The causal LM's objective: the summed next-token cross-entropy over labels != -100, normalised by the number of
 * predicted tokens of the whole step (so that accumulation gives exactly the gradient of one big batch), evaluated by
 * {@link Evaluation} with optional streaming metrics.
 */
public final class CausalLMObjective implements TrainingObjective {

    private final PreTrainedCausalLM model;
    private final Supplier<? extends StreamingMetrics> computeMetrics;

    /** @param computeMetrics makes a fresh metric for each evaluation; null for the loss only */
    public CausalLMObjective(PreTrainedCausalLM model, Supplier<? extends StreamingMetrics> computeMetrics) {
        this.model = model;
        this.computeMetrics = computeMetrics;
    }

    @Override
    public PreTrainedCausalLM model() {
        return model;
    }

    /** Makes the metric for one evaluation or prediction, or null. */
    StreamingMetrics newMetric() {
        return computeMetrics == null ? null : computeMetrics.get();
    }

    @Override
    public long count(ModelInputs batch) {
        return batch.numItems();
    }

    @Override
    public Tensor lossSum(ModelInputs batch, MetricLog metrics) {
        return model.lossSum(batch.inputIds(), batch.attentionMask(), batch.labels());
    }

    @Override
    public Evaluated evaluate(DataLoader loader) {
        StreamingMetrics metric = newMetric();
        Evaluation.Result result = Evaluation.run(model, loader, metric, false, null);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", result.loss());
        if (metric != null) metrics.putAll(metric.compute());
        return new Evaluated(metrics, result.rows(), result.batches());
    }
}
