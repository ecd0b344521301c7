package dev.jtune.core.ops;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;

/** Negative log-likelihood over log-probabilities, the second half of cross-entropy. */
public final class Losses {

    private Losses() {}

    /** How per-element losses are combined, as PyTorch's {@code reduction} argument. */
    public enum Reduction { NONE, SUM, MEAN }

    /**
     * {@code -logProbs[i, target[i]]} for each row whose target is not {@code ignoreIndex}; MEAN divides the sum by
     * the number of such rows (NaN when there are none, as in PyTorch), NONE gives 0 at ignored rows.
     *
     * @param logProbs [N, C] log-probabilities
     * @param target   [N] integer class ids in {@code [0, C)} or {@code ignoreIndex}
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, int ignoreIndex, Reduction reduction) {
        Dispatch.requireCompute("nll_loss", logProbs);
        if (logProbs.dim() != 2 || target.dim() != 1 || target.size(0) != logProbs.size(0)) {
            throw new IllegalArgumentException("nll_loss: expects input [N, C] and target [N], got "
                    + logProbs.shapeString() + " and " + target.shapeString());
        }
        int n = logProbs.size(0), classes = logProbs.size(1);
        long[] t = target.toLongArray();
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] < 0 || t[i] >= classes) {
                throw new IndexOutOfBoundsException("cross_entropy: target " + t[i] + " at position " + i
                        + " is out of range for " + classes + " classes (ignore_index " + ignoreIndex + ")");
            }
            count++;
        }
        Tensor lp = Dispatch.dense(logProbs.detach());
        Tensor losses = Tensor.zeros(logProbs.dtype(), n);
        for (int i = 0; i < n; i++) {
            if (t[i] != ignoreIndex) Conversions.setFlat(losses, i, -Conversions.read(lp.storage(), i * classes + (int) t[i]));
        }
        double scale = reduction == Reduction.MEAN ? 1.0 / count : 1.0;
        Tensor out = switch (reduction) {
            case NONE -> losses;
            case SUM -> Dispatch.reduce(dev.jtune.core.backend.ReduceOp.SUM, losses, 0).reshape();
            case MEAN -> Dispatch.reduce(dev.jtune.core.backend.ReduceOp.SUM, losses, 0).reshape().div(count);
        };
        return out.recordedBy(new Node("nll_loss", logProbs) {
            @Override
            public Tensor[] backward(Tensor g) {
                Tensor gd = Dispatch.dense(g);
                Tensor grad = Tensor.zeros(g.dtype(), n, classes);
                for (int i = 0; i < n; i++) {
                    if (t[i] == ignoreIndex) continue;
                    double gi = Conversions.read(gd.storage(), reduction == Reduction.NONE ? i : 0);
                    Conversions.setFlat(grad, i * classes + (int) t[i], -gi * scale);
                }
                return new Tensor[] {grad};
            }
        });
    }
}
