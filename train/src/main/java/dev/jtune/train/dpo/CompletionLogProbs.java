package dev.jtune.train.dpo;

import dev.jtune.core.Functional;
import dev.jtune.core.Tensor;
import dev.jtune.core.ops.Losses.Reduction;
import dev.jtune.nn.CausalLMLoss;

/**
 * The summed log-probability of each row's completion under a causal LM: position {@code t}'s log-softmax read at
 * {@code ids[t + 1]}, kept where {@code completion_mask[t + 1]} is 1, summed over the row (TRL's
 * {@code selective_log_softmax} on shifted logits, masked and summed; no length normalisation).
 */
public final class CompletionLogProbs {

    private CompletionLogProbs() {}

    /**
     * @param logits         [R, T, V]
     * @param inputIds       [R, T]
     * @param completionMask [R, T]
     * @return [R] differentiable through {@code logits}
     */
    public static Tensor sum(Tensor logits, Tensor inputIds, Tensor completionMask) {
        int r = inputIds.size(0), t = inputIds.size(1);
        long[] ids = inputIds.toLongArray(), mask = completionMask.toLongArray(), next = new long[r * t];
        for (int row = 0; row < r; row++) {
            for (int i = 0; i < t; i++) {
                int j = row * t + i + 1;
                next[row * t + i] = i + 1 < t && mask[j] == 1 ? ids[j] : CausalLMLoss.IGNORE_INDEX;
            }
        }
        Tensor nll = Functional.crossEntropy(logits, Tensor.ofLongs(next, r, t), CausalLMLoss.IGNORE_INDEX, Reduction.NONE);
        return nll.reshape(r, t).sum(1, false).neg();
    }

    /** The completion tokens of each row ({@code completion_mask} summed, unshifted, as TRL's IPO divides by). */
    public static float[] lengths(Tensor completionMask) {
        int r = completionMask.size(0), t = completionMask.size(1);
        long[] mask = completionMask.toLongArray();
        float[] out = new float[r];
        for (int row = 0; row < r; row++) for (int i = 0; i < t; i++) out[row] += mask[row * t + i];
        return out;
    }
}
