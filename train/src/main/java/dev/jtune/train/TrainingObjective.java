package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.nn.PreTrainedModel;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.ModelInputs;
import java.util.Map;

/**
 * What the {@link Trainer} minimises, transformers' {@code compute_loss} as a strategy: the causal LM's token
 * cross-entropy ({@link CausalLMObjective}), TRL's reward-model loss, DPO's.
 *
 * <p>A step's loss is the sum of {@link #lossSum} over its micro-batches divided by the sum of their {@link #count}s,
 * so an objective says what it averages over: predicted tokens (the exact mean of one big batch), or 1 per micro-batch
 * (a mean of micro-batch means, which is what transformers' Trainer does for a loss that takes no item count:
 * it divides each micro-batch's mean by the number of micro-batches of the step).
 */
public interface TrainingObjective {

    /** The model being trained. */
    PreTrainedModel model();

    /** The micro-batch's share of its step's normaliser (known before any forward pass). */
    long count(ModelInputs batch);

    /**
     * The micro-batch's loss summed over what {@link #count} counts: a differentiable scalar. Metrics of the batch
     * (TRL's {@code _metrics}) go into {@code metrics}.
     */
    Tensor lossSum(ModelInputs batch, MetricLog metrics);

    /**
     * The loss ({@code loss}) and metrics over every batch of {@code loader}, without gradient and in eval mode,
     * names without the {@code eval_} prefix.
     */
    Evaluated evaluate(DataLoader loader);

    /**
     * @param metrics {@code loss} first, then the objective's metrics
     * @param rows    rows evaluated
     * @param batches batches run
     */
    record Evaluated(Map<String, Double> metrics, int rows, int batches) {}
}
