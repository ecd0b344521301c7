package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.train.data.ModelInputs;
import java.util.Map;

/**
 * Evaluation metrics computed one batch at a time, as transformers' {@code compute_metrics} with
 * {@code batch_eval_metrics=True}: the logits of a whole evaluation set ({@code [N, T, vocab]}) are never held.
 * The trainer takes a supplier and makes a fresh instance for every evaluation.
 */
public interface StreamingMetrics {

    /**
     * Adds one batch.
     *
     * @param logits [B, T, V] the model's scores for the batch (no gradient)
     * @param batch  the batch's inputs and labels
     */
    void update(Tensor logits, ModelInputs batch);

    /** The metrics over every batch so far, by name without prefix (the trainer adds {@code eval_}). */
    Map<String, Double> compute();
}
