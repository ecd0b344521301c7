package dev.jtune.train.dpo;

import dev.jtune.core.Functional;
import dev.jtune.core.Tensor;
import dev.jtune.core.ops.Losses.Reduction;
import dev.jtune.nn.CausalLMLoss;
import java.util.function.UnaryOperator;

/**
 * The summed log-probability of each row's completion under a causal LM: position {@code t}'s log-softmax read at
 * {@code ids[t + 1]}, kept where {@code completion_mask[t + 1]} is 1, summed over the row (TRL's
 * {@code selective_log_softmax} on shifted logits, masked and summed; no length normalisation).
 */
public final class CompletionLogProbs {

    private CompletionLogProbs() {}

    /**
     * The log-probs of {@link #atCompletions} and the logits they were read from, at the completion positions only.
     *
     * @param logps     [R] differentiable
     * @param logits    [S, V] the output head at the scored positions
     * @param positions the S flat positions {@code row * T + t} (increasing) whose next token is a completion token
     */
    public record Scored(Tensor logps, Tensor logits, int[] positions) {}

    /**
     * @param logits         [R, T, V]
     * @param inputIds       [R, T]
     * @param completionMask [R, T]
     * @return [R] differentiable through {@code logits}
     */
    public static Tensor sum(Tensor logits, Tensor inputIds, Tensor completionMask) {
        int r = inputIds.size(0), t = inputIds.size(1);
        long[] next = nextCompletionIds(inputIds, completionMask);
        Tensor nll = Functional.crossEntropy(logits, Tensor.ofLongs(next, r, t), CausalLMLoss.IGNORE_INDEX, Reduction.NONE);
        return nll.reshape(r, t).sum(1, false).neg();
    }

    /**
     * {@link #sum} of {@code head(hidden)} to the bit, gradients included, with the output head and the softmax run
     * only where a completion token is predicted: the prompt and the padding of a preference pair cost nothing (as in
     * {@link CausalLMLoss#sumAtLabels}: the losses are put back in place, 0 elsewhere, before each row is summed).
     *
     * @param hidden [R, T, C] the final hidden states
     * @param head   the output head, {@code [N, C] -> [N, V]}
     */
    public static Scored atCompletions(Tensor hidden, Tensor inputIds, Tensor completionMask,
                                       UnaryOperator<Tensor> head) {
        int r = inputIds.size(0), t = inputIds.size(1);
        long[] next = nextCompletionIds(inputIds, completionMask);
        int[] positions = CausalLMLoss.scoredPositions(next);
        if (positions.length == 0) {  // nothing to score: the plain path, which sums zeros
            Tensor logits = head.apply(hidden);  // (R, T, V)
            return new Scored(sum(logits, inputIds, completionMask), logits.reshape(r * t, -1).narrow(0, 0, 0),
                    positions);
        }
        Tensor logits = head.apply(CausalLMLoss.rowsAt(hidden, positions));                        // (S, V)
        Tensor nll = Functional.crossEntropy(logits, CausalLMLoss.targetsAt(next, positions), CausalLMLoss.IGNORE_INDEX,
                Reduction.NONE);                                                                    // (S)
        Tensor logps = CausalLMLoss.inPlace(nll, positions, r * t).reshape(r, t).sum(1, false).neg();  // (R)
        return new Scored(logps, logits, positions);
    }

    /** The completion token each flat position predicts, {@code ids[t + 1]} where the mask there is 1, else -100. */
    private static long[] nextCompletionIds(Tensor inputIds, Tensor completionMask) {
        int r = inputIds.size(0), t = inputIds.size(1);
        long[] ids = inputIds.toLongArray(), mask = completionMask.toLongArray(), next = new long[r * t];
        for (int row = 0; row < r; row++) {
            for (int i = 0; i < t; i++) {
                int j = row * t + i + 1;
                next[row * t + i] = i + 1 < t && mask[j] == 1 ? ids[j] : CausalLMLoss.IGNORE_INDEX;
            }
        }
        return next;
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
