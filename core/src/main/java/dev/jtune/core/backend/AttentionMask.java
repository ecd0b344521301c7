package dev.jtune.core.backend;

/**
 * Which attention weights the attention kernels mask out before the softmax and which they drop after it, for weights
 * laid out as {@code [N, Tq, Tk]} with {@code N = B * H}.
 *
 * @param heads     H: weight matrix {@code n} belongs to batch row {@code n / H}
 * @param causal    query {@code i} (the last Tq of Tk positions) sees only keys {@code j <= i + Tk - Tq}
 * @param padded    null, or {@code [B, Tk]}: true where the key is padding (Hugging Face's {@code attention_mask == 0})
 * @param kept      null without dropout, else a bitset over {@code [N, Tq, Tk]}: bit set where the weight is kept
 * @param keepScale the factor of a kept weight, {@code 1 / (1 - p)} rounded to the compute dtype
 * @param window    0 for none, else a sliding window: query {@code i} sees only the {@code window} keys ending at its
 *                  own position, {@code j > i + Tk - Tq - window} (transformers' {@code sliding_window_overlay})
 */
public record AttentionMask(int heads, boolean causal, boolean[] padded, long[] kept, double keepScale, int window) {

    public AttentionMask {
        if (window < 0) throw new IllegalArgumentException("attention mask: window must be >= 0, got " + window);
    }

    /** A mask without a sliding window. */
    public AttentionMask(int heads, boolean causal, boolean[] padded, long[] kept, double keepScale) {
        this(heads, causal, padded, kept, keepScale, 0);
    }

    /** True if query {@code i} of weight matrix {@code n} must not see key {@code j}. */
    public boolean masked(int n, int i, int j, int tq, int tk) {
        return causal && j > i + tk - tq || window > 0 && j <= (long) i + tk - tq - window
                || padded != null && padded[n / heads * tk + j];
    }

    /** The first key the sliding window lets query {@code i} see (0 without a window). */
    public int windowStart(int i, int tq, int tk) {
        return window > 0 ? Math.clamp((long) i + tk - tq - window + 1, 0, tk) : 0;
    }

    /** The first key that the causal mask hides from query {@code i} ({@code tk} when it hides none). */
    public int causalEnd(int i, int tq, int tk) {
        return causal ? Math.clamp((long) i + tk - tq + 1, 0, tk) : tk;
    }

    /** True when a dropout mask is applied to the weights. */
    public boolean dropout() {
        return kept != null;
    }

    /** The dropout factor of the weight at flat index {@code index} of {@code [N, Tq, Tk]}: keepScale or 0. */
    public double dropoutFactor(long index) {
        return (kept[(int) (index >>> 6)] >>> index & 1) != 0 ? keepScale : 0;
    }
}
