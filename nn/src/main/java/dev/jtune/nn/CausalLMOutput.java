package dev.jtune.nn;

import dev.jtune.core.Tensor;

/**
 * What a causal LM's forward returns.
 *
 * @param logits [B, T, V] next-token scores at every position
 * @param loss   the mean shifted cross-entropy over labels != -100 (a 0-d tensor), or null without labels
 */
public record CausalLMOutput(Tensor logits, Tensor loss) {}
