package dev.jtune.nn;

import dev.jtune.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A causal language model with Hugging Face conventions: forward with {@code input_ids}, an optional right-padding
 * {@code attention_mask} and optional {@code labels}; {@code savePretrained} to an HF directory; token-embedding
 * resizing. GPT-2 and Llama extend it; {@link AutoModelForCausalLM} loads either.
 */
public abstract class PreTrainedCausalLM extends PreTrainedModel {

    protected PreTrainedCausalLM(ModelConfig config) {
        super(config);
    }

    /**
     * Next-token logits {@code [B, T, V]}.
     *
     * @param inputIds      [B, T] integer token ids
     * @param attentionMask [B, T_past + T] 1 for real tokens, 0 for padding; null means all real
     * @param positionIds   [B, T] positions; null means {@code T_past, T_past + 1, ...}
     * @param cache         past keys and values, extended by this call; null for none
     */
    public Tensor logits(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache) {
        return logits(inputIds, attentionMask, positionIds, cache, 0);
    }

    /**
     * Next-token logits of the last {@code logitsToKeep} positions only, {@code [B, logitsToKeep, V]}, or of all when
     * it is 0 (transformers' {@code logits_to_keep}): generation needs just the last, and the output head over a
     * whole prompt would be its largest product.
     */
    public Tensor logits(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache, int logitsToKeep) {
        Tensor hidden = hiddenStates(inputIds, attentionMask, positionIds, cache);  // (B, T, C)
        return outputHead(lastPositions(hidden, logitsToKeep));                    // (B, T_keep, V)
    }

    /**
     * The final hidden states {@code [B, T, C]} (after the last norm) that the output head turns into logits, and that
     * a sequence classifier's {@code score} head reads instead; the arguments are those of {@link #logits}.
     */
    public abstract Tensor hiddenStates(Tensor inputIds, Tensor attentionMask, Tensor positionIds, KVCache cache);

    /** The output head {@code lm_head}: hidden states {@code [..., C]} to logits {@code [..., V]}. */
    public abstract Tensor outputHead(Tensor hidden);

    /**
     * The summed next-token cross-entropy over labels != -100, {@code CausalLMLoss.sum(logits(inputIds,
     * attentionMask, null, null), labels)} to the bit, gradients included, with the output head run only at the
     * positions that have a label ({@link CausalLMLoss#sumAtLabels}): what a trainer needs when it wants the loss and
     * not the logits.
     *
     * @param labels [B, T] ids or -100
     */
    public Tensor lossSum(Tensor inputIds, Tensor attentionMask, Tensor labels) {
        return CausalLMLoss.sumAtLabels(hiddenStates(inputIds, attentionMask, null, null), labels, this::outputHead);
    }

    /**
     * The name of the child module holding everything but the output head ({@code transformer} for GPT-2,
     * {@code model} for Llama): the part a {@link SequenceClassificationModel} shares.
     */
    public abstract String bodyName();

    /** {@code hidden [B, T, C]} narrowed to its last {@code keep} positions (all when 0), for {@code logitsToKeep}. */
    private static Tensor lastPositions(Tensor hidden, int keep) {
        if (keep < 0) throw new IllegalArgumentException("logits_to_keep must be >= 0, got " + keep);
        int t = hidden.size(1);
        return keep == 0 || keep >= t ? hidden : hidden.narrow(1, t - keep, keep);
    }

    /** An empty cache with one slot per layer. */
    public abstract KVCache newCache();

    /**
     * The forward pass of {@code transformers}' {@code *ForCausalLM}: logits, and with labels the mean cross-entropy
     * of each position's logits against the next label, over labels != -100.
     *
     * @param inputIds      [B, T] integer token ids
     * @param attentionMask [B, T] 1 for real tokens, 0 for (right) padding; null means all real
     * @param labels        [B, T] ids or -100; null for no loss
     */
    public CausalLMOutput forward(Tensor inputIds, Tensor attentionMask, Tensor labels) {
        Tensor logits = logits(inputIds, attentionMask, null, null);
        return new CausalLMOutput(logits, labels == null ? null : CausalLMLoss.mean(logits, labels));
    }

    /** The input embedding matrix {@code [V, C]}. */
    public abstract Parameter inputEmbeddings();

    /** The output head's weight {@code lm_head.weight [V, C]}: the input embedding itself when the head is tied. */
    public abstract Parameter outputEmbeddings();

    /**
     * Resizes the vocabulary to {@code newSize} rows, new rows set to the mean of the old ones (transformers' default),
     * keeping a tied output head tied; returns the new size.
     */
    public int resizeTokenEmbeddings(int newSize) {
        Parameter input = inputEmbeddings(), output = outputEmbeddings();
        input.set(EmbeddingResize.resized(input.value(), newSize));
        if (output != input) output.set(EmbeddingResize.resized(output.value(), newSize));
        setConfig(config().withVocabSize(newSize));
        return newSize;
    }

    /**
     * A checkpoint's tensors under this model's parameter names; an architecture overrides it to accept the naming
     * variants of its Hugging Face checkpoints. The default is the identity.
     */
    protected Map<String, Tensor> checkpointToModelNames(Map<String, Tensor> state) {
        return state;
    }

    @Override
    public void savePretrained(Path dir) throws IOException {
        Checkpoints.save(this, dir);
    }

    /** Resizes to {@code newSize} rounded up to a multiple of {@code padToMultipleOf}; returns the new size. */
    public int resizeTokenEmbeddings(int newSize, int padToMultipleOf) {
        int rounded = padToMultipleOf <= 1 ? newSize : (newSize + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
        return resizeTokenEmbeddings(rounded);
    }
}
