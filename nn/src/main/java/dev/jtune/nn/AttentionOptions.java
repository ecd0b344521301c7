package dev.jtune.nn;

import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;

/**
 * How an attention layer calls scaled dot-product attention, as the keyword arguments of PyTorch's
 * {@code scaled_dot_product_attention}.
 *
 * @param isCausal         query i sees keys up to its own position only
 * @param scale            the factor on {@code q k^T}; NaN for {@code 1/sqrt(head_dim)}
 * @param dropoutP         the probability of dropping an attention weight (0 outside training)
 * @param dropoutGenerator where dropout masks are drawn from (null without dropout)
 * @param window           0, or a sliding window: query i sees only the {@code window} keys ending at its own position
 *                         (Mistral's {@code sliding_window}; with a KV cache, counted over the cached positions too)
 */
public record AttentionOptions(boolean isCausal, double scale, double dropoutP, Generator dropoutGenerator,
                               int window) {

    /** Causal attention scaled by {@code 1/sqrt(head_dim)}, no dropout: what GPT-2 and Llama use at inference. */
    public static final AttentionOptions CAUSAL = new AttentionOptions(true, Double.NaN, 0, null, 0);

    /** The same with attention dropout of probability {@code p}. */
    public AttentionOptions withDropout(double p, Generator generator) {
        return new AttentionOptions(isCausal, scale, p, generator, window);
    }

    /** The same with a sliding window of {@code keys} keys (0 for none). */
    public AttentionOptions withWindow(int keys) {
        return new AttentionOptions(isCausal, scale, dropoutP, dropoutGenerator, keys);
    }

    /**
     * @param q             [B, H, Tq, D]
     * @param k             [B, H, Tk, D]
     * @param v             [B, H, Tk, Dv]
     * @param attentionMask [B, Tk] 1 for real keys, 0 for padding; null for none
     * @return [B, H, Tq, Dv]
     */
    public Tensor apply(Tensor q, Tensor k, Tensor v, Tensor attentionMask) {
        return Functional.scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, dropoutP, dropoutGenerator,
                window);
    }

    /**
     * As {@link #apply}, for grouped-query attention (PyTorch's {@code enable_gqa=True}): {@code k [B, H_kv, Tk, D]}
     * and {@code v [B, H_kv, Tk, Dv]}, each of their heads serving {@code H / H_kv} consecutive query heads.
     */
    public Tensor applyGqa(Tensor q, Tensor k, Tensor v, Tensor attentionMask) {
        return Functional.scaledDotProductAttention(q, k, v, attentionMask, isCausal, scale, dropoutP, dropoutGenerator,
                window, true);
    }
}
