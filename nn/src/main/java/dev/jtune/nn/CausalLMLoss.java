package dev.jtune.nn;

import dev.jtune.core.Functional;
import dev.jtune.core.Tensor;
import dev.jtune.core.ops.Losses.Reduction;

/**
 * The causal-LM loss as transformers computes it: position t predicts label t+1, labels of -100 are ignored.
 * {@link #sum} and {@link #count} let a trainer normalise over several micro-batches at once.
 */
public final class CausalLMLoss {

    /** The label value that is not predicted (padding), as in PyTorch and transformers. */
    public static final int IGNORE_INDEX = -100;

    private CausalLMLoss() {}

    /** Mean cross-entropy of {@code logits[:, :-1]} against {@code labels[:, 1:]} over labels != -100. */
    public static Tensor mean(Tensor logits, Tensor labels) {
        return shifted(logits, labels, Reduction.MEAN);
    }

    /** The summed (not averaged) shifted token cross-entropy. */
    public static Tensor sum(Tensor logits, Tensor labels) {
        return shifted(logits, labels, Reduction.SUM);
    }

    /** How many labels {@link #sum} adds up: the shifted labels != -100. */
    public static long count(Tensor labels) {
        long[] l = labels.toLongArray();
        int t = labels.size(-1);
        long n = 0;
        for (int i = 0; i < l.length; i++) if (i % t != 0 && l[i] != IGNORE_INDEX) n++;
        return n;
    }

    /**
     * @param logits [B, T, V]
     * @param labels [B, T] integer ids or -100
     */
    private static Tensor shifted(Tensor logits, Tensor labels, Reduction reduction) {
        if (logits.dim() != 3 || labels.dim() != 2 || logits.size(0) != labels.size(0) || logits.size(1) != labels.size(1)) {
            throw new IllegalArgumentException("causal LM loss: logits [B, T, V] and labels [B, T] expected, got "
                    + logits.shapeString() + " and " + labels.shapeString());
        }
        // Shift the labels, not the logits: position t is scored against label t+1 and the last position against
        // nothing (-100), so the [B, T, V] logits are used in place instead of copied.
        int b = labels.size(0), t = labels.size(1);
        long[] l = labels.toLongArray(), next = new long[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) next[r * t + i] = i + 1 < t ? l[r * t + i + 1] : IGNORE_INDEX;
        }
        return Functional.crossEntropy(logits, Tensor.ofLongs(next, b, t), IGNORE_INDEX, reduction);
    }
}
