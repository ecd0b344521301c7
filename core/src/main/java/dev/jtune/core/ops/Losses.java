package dev.jtune.core.ops;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.ReduceOp;
import dev.jtune.core.backend.UnaryOp;

/**
 * Cross-entropy as one fused op: log-softmax of each row, then the negative log-likelihood of its target.
 *
 * <p>Why fused: a language model's rows have ~50k classes, and the composed version ({@code logSoftmax} then a
 * gather) allocates two more {@code [N, C]} gradients in backward. Fused, backward is one pass,
 * {@code dlogits = (softmax - onehot) * scale}, over the saved log-probabilities. The gradient property test checks it
 * like any other op.
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
        Tensor logProbs = Softmax.softmax(logits.detach(), 1, true);  // (N, C)
        Tensor losses = Tensor.zeros(logits.dtype(), n);
        for (int i = 0; i < n; i++) {
            if (t[i] != ignoreIndex) Conversions.setFlat(losses, i, -Conversions.read(logProbs.storage(), i * classes + (int) t[i]));
        }
        Tensor out = switch (reduction) {
            case NONE -> losses;
            case SUM -> Dispatch.reduce(ReduceOp.SUM, losses, 0).reshape();
            case MEAN -> Dispatch.reduce(ReduceOp.SUM, losses, 0).reshape().div(count);
        };
        double meanScale = reduction == Reduction.MEAN ? 1.0 / count : 1.0;
        return out.recordedBy(new Node("cross_entropy", logits) {
            private final SavedTensor saved = save(logProbs);

            @Override
            public Tensor[] backward(Tensor g) {
                double[] gOut = g.toDoubleArray();
                double[] rowScale = new double[n];  // d loss / d loss_i
                for (int i = 0; i < n; i++) {
                    rowScale[i] = t[i] == ignoreIndex ? 0 : (reduction == Reduction.NONE ? gOut[i] : gOut[0] * meanScale);
                }
                Tensor scale = Tensor.of(rowScale, n, 1).to(g.dtype());
                // The log-probabilities are this node's own and nothing reads them after this backward: the gradient
                // is computed in their buffer (exp, * scale, - onehot), without a second [N, C] array.
                Tensor grad = saved.get();
                Dispatch.unaryInto(UnaryOp.EXP, grad, grad);                                       // softmax
                Dispatch.binaryInto("cross_entropy backward", BinaryOp.MUL, grad, grad, scale);  // * scale, in place
                grad.storage().bumpVersion();
                for (int i = 0; i < n; i++) {
                    if (t[i] == ignoreIndex) continue;
                    int at = i * classes + (int) t[i];
                    Conversions.write(grad.storage(), at, Conversions.read(grad.storage(), at) - rowScale[i]);
                }
                return new Tensor[] {grad};
            }
        });
    }
}
