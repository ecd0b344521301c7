package dev.jtune.train.data;

import dev.jtune.core.Tensor;
import dev.jtune.nn.CausalLMLoss;

/**
 * One collated batch for a causal LM, the tensors a {@code DataCollatorForLanguageModeling} returns.
 *
 * @param inputIds      [B, T] I64 token ids
 * @param attentionMask [B, T] I64, 1 for real tokens and 0 for padding
 * @param labels        [B, T] I64 ids, -100 where nothing is to be predicted
 */
public record ModelInputs(Tensor inputIds, Tensor attentionMask, Tensor labels) {

    /** The number of rows B. */
    public int batchSize() {
        return inputIds.size(0);
    }

    /** How many tokens the loss predicts: the shifted labels != -100 ({@link CausalLMLoss#count}). */
    public long numItems() {
        return CausalLMLoss.count(labels);
    }
}
