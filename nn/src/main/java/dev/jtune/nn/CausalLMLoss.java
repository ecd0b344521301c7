package dev.jtune.nn;

import dev.jtune.core.Functional;
import dev.jtune.core.Tensor;
import dev.jtune.core.ops.Losses.Reduction;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * The causal-LM loss as transformers computes it: position t predicts label t+1, labels of -100 are ignored.
 * {@link #sum} and {@link #count} let a trainer normalise over several micro-batches at once; {@link #sumAtLabels} is
 * {@link #sum} without computing the logits nobody scores.
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
     * {@link #sum} of {@code head(hidden)} to the bit, gradients included, with the output head and the softmax
     * computed only at the positions that have a next label: padding and each row's last position cost nothing (in a
     * batch padded to its longest row, often half of the rows of the largest product and of the softmax). The losses
     * are put back at their positions, 0 elsewhere, before they are summed, so the sum adds the same numbers in the
     * same order; the rows left out would have had a zero gradient, which adds nothing to any FMA chain.
     *
     * @param hidden [B, T, C] the final hidden states
     * @param labels [B, T] integer ids or -100
     * @param head   the output head, {@code [N, C] -> [N, V]}
     */
    public static Tensor sumAtLabels(Tensor hidden, Tensor labels, UnaryOperator<Tensor> head) {
        long[] next = nextLabels(hidden, labels);
        int[] positions = scoredPositions(next);
        if (positions.length == 0) return sum(head.apply(hidden), labels);  // nothing scored: the plain path
        return scored(hidden, next, positions, head).lossSum();
    }

    /**
     * The output head's logits at the positions that have a next label and the loss they give.
     *
     * @param logits  [S, V] {@code head(hidden)} at those positions, in batch order (row by row, position by position)
     * @param targets [S] the label each of them predicts
     * @param lossSum [] {@link #sum} of the full logits, to the bit
     */
    public record AtLabels(Tensor logits, Tensor targets, Tensor lossSum) {}

    /**
     * {@link #sumAtLabels} that also returns the logits it scored: for metrics that read a batch's scores only where a
     * label is predicted (classification by a label word), so an evaluation never computes the others.
     *
     * @param hidden [B, T, C] the final hidden states (or any [B, T, X] rows: with the identity head, the logits)
     * @param labels [B, T] integer ids or -100
     * @param head   the output head, {@code [S, C] -> [S, V]}
     */
    public static AtLabels atLabels(Tensor hidden, Tensor labels, UnaryOperator<Tensor> head) {
        long[] next = nextLabels(hidden, labels);
        return scored(hidden, next, scoredPositions(next), head);
    }

    private static AtLabels scored(Tensor hidden, long[] next, int[] positions, UnaryOperator<Tensor> head) {
        Tensor logits = head.apply(rowsAt(hidden, positions));                                     // (S, V)
        Tensor targets = targetsAt(next, positions);                                                // (S)
        Tensor losses = Functional.crossEntropy(logits, targets, IGNORE_INDEX, Reduction.NONE);     // (S)
        return new AtLabels(logits, targets, inPlace(losses, positions, next.length).sum());        // (B * T) -> ()
    }

    /** {@link #nextLabels(Tensor)} of labels that match the hidden states' [B, T]. */
    private static long[] nextLabels(Tensor hidden, Tensor labels) {
        if (hidden.dim() != 3 || labels.dim() != 2 || hidden.size(0) != labels.size(0) || hidden.size(1) != labels.size(1)) {
            throw new IllegalArgumentException("causal LM loss: hidden states [B, T, C] and labels [B, T] expected, got "
                    + hidden.shapeString() + " and " + labels.shapeString());
        }
        return nextLabels(labels);
    }

    /** The flat positions whose target is not -100, in increasing order. */
    public static int[] scoredPositions(long[] targets) {
        return IntStream.range(0, targets.length).filter(i -> targets[i] != IGNORE_INDEX).toArray();
    }

    /** {@code hidden [B, T, C]} at the flat positions: {@code [S, C]}, differentiable. */
    public static Tensor rowsAt(Tensor hidden, int[] positions) {
        Tensor flat = hidden.reshape(hidden.size(0) * hidden.size(1), hidden.size(2));
        return flat.indexSelect(0, Tensor.ofInts(positions, positions.length));
    }

    /** The targets at the positions: {@code [S]}. */
    public static Tensor targetsAt(long[] targets, int[] positions) {
        long[] out = new long[positions.length];
        for (int s = 0; s < positions.length; s++) out[s] = targets[positions[s]];
        return Tensor.ofLongs(out, positions.length);
    }

    /**
     * The per-position losses {@code [S]} of the scored positions put back in place among {@code n}, 0 elsewhere:
     * {@code [n]}, what cross-entropy with reduction NONE over all {@code n} positions gives, to the bit.
     */
    public static Tensor inPlace(Tensor losses, int[] positions, int n) {
        int scored = positions.length;
        int[] slot = new int[n];  // each position's row among the scored, or `scored` (a zero) if it has none
        Arrays.fill(slot, scored);
        for (int s = 0; s < scored; s++) slot[positions[s]] = s;
        Tensor zero = Tensor.zeros(losses.dtype(), 1);
        return Tensor.cat(List.of(losses, zero), 0).indexSelect(0, Tensor.ofInts(slot, n));
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
        return Functional.crossEntropy(logits, Tensor.ofLongs(nextLabels(labels), labels.size(0), labels.size(1)),
                IGNORE_INDEX, reduction);
    }

    /** {@code next[r, i] = labels[r, i + 1]}, and -100 at each row's last position; flat {@code [B * T]}. */
    private static long[] nextLabels(Tensor labels) {
        int b = labels.size(0), t = labels.size(1);
        long[] l = labels.toLongArray(), next = new long[b * t];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < t; i++) next[r * t + i] = i + 1 < t ? l[r * t + i + 1] : IGNORE_INDEX;
        }
        return next;
    }
}
