package dev.jtune.core.ops;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.backend.ReduceOp;
import java.util.Arrays;

/**
 * Cross-entropy as one fused op: log-softmax of each row, then the negative log-likelihood of its target.
 *
 * <p>Why fused: a language model's rows have ~50k classes, and the composed version ({@code logSoftmax} then a
 * gather) allocates two more {@code [N, C]} gradients in backward. Fused, backward is one pass,
 * {@code dlogits = (softmax - onehot) * scale}, over the saved log-probabilities. The gradient property test checks it
 * like any other op. When nothing will run backward (evaluation, DPO's reference model), the losses come straight from
 * the logits ({@code Backend.crossEntropy}) and the {@code [N, C]} log-probabilities are never written.
 */
public final class Losses {

    private Losses() {}

    /** How per-element losses are combined, as PyTorch's {@code reduction} argument. */
    public enum Reduction { NONE, SUM, MEAN }

    /**
     * {@code -log_softmax(logits)[i, target[i]]} for each row whose target is not {@code ignoreIndex}; MEAN divides the
     * sum by the number of such rows (NaN when there are none, as in PyTorch), NONE gives 0 at ignored rows.
     *
     * @param logits [N, C] unnormalised scores
     * @param target [N] integer class ids in {@code [0, C)} or {@code ignoreIndex}
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, int ignoreIndex, Reduction reduction) {
        Dispatch.requireCompute("cross_entropy", logits);
        if (logits.dim() != 2 || target.dim() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException("cross_entropy: expects input [N, C] and target [N], got "
                    + logits.shapeString() + " and " + target.shapeString());
        }
        int n = logits.size(0), classes = logits.size(1);
        int[] t = checkedTargets(target, ignoreIndex, classes);
        int count = (int) Arrays.stream(t).filter(c -> c != ignoreIndex).count();
        Tensor losses = Tensor.empty(logits.dtype(), n);
        if (!GradMode.isEnabled() || !logits.requiresGrad()) {
            // Nothing will run backward: the losses straight from the logits, without the [N, C] log-probabilities.
            Dispatch.crossEntropy(losses, Dispatch.dense(logits.detach()), t, ignoreIndex, classes);
            return reduce(losses, reduction, count);
        }
        Tensor logProbs = Softmax.softmax(logits.detach(), 1, true);  // (N, C)
        Dispatch.nllLoss(losses, logProbs, t, ignoreIndex, classes);
        Tensor out = reduce(losses, reduction, count);
        double meanScale = reduction == Reduction.MEAN ? 1.0 / count : 1.0;
        return out.recordedBy(new Node("cross_entropy", logits) {
            private final SavedTensor saved = save(logProbs);

            @Override
            public Tensor[] backward(Tensor g) {
                // The log-probabilities are this node's own and nothing reads them after this backward: the gradient
                // is computed in their buffer (exp, * scale, - onehot), without a second [N, C] array.
                Tensor grad = saved.get();
                int gStride = reduction == Reduction.NONE ? 1 : 0;  // one upstream gradient per row, or one for all
                Dispatch.crossEntropyBackward(grad, Dispatch.dense(g), gStride, meanScale, t, ignoreIndex, classes);
                grad.storage().bumpVersion();
                return new Tensor[] {grad};
            }
        });
    }

    /** The per-row losses {@code [N]} combined as {@code reduction} says; a mean is over the {@code count} rows. */
    private static Tensor reduce(Tensor losses, Reduction reduction, int count) {
        return switch (reduction) {
            case NONE -> losses;
            case SUM -> Dispatch.reduce(ReduceOp.SUM, losses, 0).reshape();
            case MEAN -> Dispatch.reduce(ReduceOp.SUM, losses, 0).reshape().div(count);
        };
    }

    /** The targets as int[], each checked to be {@code ignoreIndex} or a class in {@code [0, classes)}. */
    private static int[] checkedTargets(Tensor target, int ignoreIndex, int classes) {
        long[] t = target.toLongArray();
        int[] checked = new int[t.length];
        for (int i = 0; i < t.length; i++) {
            if (t[i] != ignoreIndex && (t[i] < 0 || t[i] >= classes)) {
                throw new IndexOutOfBoundsException("cross_entropy: target " + t[i] + " at position " + i
                        + " is out of range for " + classes + " classes (ignore_index " + ignoreIndex + ")");
            }
            checked[i] = (int) t[i];
        }
        return checked;
    }
}
