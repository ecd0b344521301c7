package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.nn.CausalLMLoss;
import dev.jtune.train.data.ModelInputs;
import java.util.function.UnaryOperator;

/**
 * Metrics that read a batch's logits only at the positions that predict a label (classification by a label word
 * reads one position per row). {@link Evaluation} then runs the output head at those positions alone
 * ({@link CausalLMLoss#atLabels}: {@code [S, V]} instead of {@code [B, T, V]}, most of an evaluation's work and memory
 * with a large vocabulary) and calls {@link #updateAtLabels}; {@link #update} picks the same rows out of full logits,
 * its naive twin.
 */
public interface LabelledPositionMetrics extends StreamingMetrics {

    /**
     * Adds one batch.
     *
     * @param logits  [S, V] the scores at each position that predicts a label, in batch order (no gradient)
     * @param targets [S] the label each of them predicts
     */
    void updateAtLabels(Tensor logits, Tensor targets);

    @Override
    default void update(Tensor logits, ModelInputs batch) {
        CausalLMLoss.AtLabels scored = CausalLMLoss.atLabels(logits, batch.labels(), UnaryOperator.identity());
        updateAtLabels(scored.logits(), scored.targets());
    }
}
