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
        int t = logits.size(1);
        Tensor predicted = logits.narrow(1, 0, t - 1);  // (B, T-1, V)
        Tensor targets = labels.narrow(1, 1, t - 1);    // (B, T-1)
        return Functional.crossEntropy(predicted, targets, IGNORE_INDEX, reduction);
    }
}
