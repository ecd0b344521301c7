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
 */
public record AttentionMask(int heads, boolean causal, boolean[] padded, long[] kept, double keepScale) {

    /** True if query {@code i} of weight matrix {@code n} must not see key {@code j}. */
    public boolean masked(int n, int i, int j, int tq, int tk) {
        return causal && j > i + tk - tq || padded != null && padded[n / heads * tk + j];
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
