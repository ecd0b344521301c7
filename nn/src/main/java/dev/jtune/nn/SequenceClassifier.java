package dev.jtune.nn;

import dev.jtune.core.Tensor;
import java.util.List;

/**
 * What a sequence classifier offers whatever it is built of, as {@link PreTrainedCausalLM} does for causal LMs: one
 * score per label for each row. {@link SequenceClassificationModel} is one; a LoRA adapter on one
 * ({@code PeftModelForSequenceClassification}) is another. A reward model is a classifier with a single label, and the
 * reward trainer and the {@code score} command take either.
 */
public abstract class SequenceClassifier extends PreTrainedModel {

    protected SequenceClassifier(ModelConfig config) {
        super(config);
    }

    /**
     * The pooled scores {@code [B, num_labels]}: for a reward model, {@code [B, 1]} rewards.
     *
     * @param inputIds      [B, T]
     * @param attentionMask [B, T] or null
     */
    public abstract Tensor logits(Tensor inputIds, Tensor attentionMask);

    /** The label names ({@code id2label}); a reward model has one. */
    public abstract List<String> labels();

    /** {@code num_labels}: the width of the score head. */
    public int numLabels() {
        return labels().size();
    }
}
