package dev.jtune.train.data;

import dev.jtune.core.Tensor;
import dev.jtune.nn.CausalLMLoss;
import java.util.Map;

/**
 * One collated batch: the tensors a collator returns ({@code DataCollatorForLanguageModeling}'s, or a preference
 * collator's with the chosen rows first).
 *
 * @param inputIds      [B, T] I64 token ids
 * @param attentionMask [B, T] I64, 1 for real tokens and 0 for padding
 * @param labels        [B, T] I64 ids, -100 where nothing is to be predicted; null when the objective needs none
 * @param extras        further columns by their TRL names ({@code margin}, {@code completion_mask}, ...)
 */
public record ModelInputs(Tensor inputIds, Tensor attentionMask, Tensor labels, Map<String, Tensor> extras) {

    public ModelInputs {
        extras = Map.copyOf(extras);
    }

    /** A batch of {@code input_ids}, {@code attention_mask} and {@code labels} only. */
    public ModelInputs(Tensor inputIds, Tensor attentionMask, Tensor labels) {
        this(inputIds, attentionMask, labels, Map.of());
    }

    /** The number of rows B. */
    public int batchSize() {
        return inputIds.size(0);
    }

    /** How many tokens the loss predicts: the shifted labels != -100 ({@link CausalLMLoss#count}). */
    public long numItems() {
        if (labels == null) throw new IllegalStateException("this batch has no labels to count");
        return CausalLMLoss.count(labels);
    }

    /** The extra column {@code name}, or null. */
    public Tensor extra(String name) {
        return extras.get(name);
    }
}
