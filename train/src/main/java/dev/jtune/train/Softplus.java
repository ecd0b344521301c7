package dev.jtune.train;

import dev.jtune.core.Tensor;
import java.util.List;

/** {@code softplus(x) = log(1 + exp(x))}, so that {@code -logsigmoid(x) = softplus(-x)}: the pairwise losses' core. */
public final class Softplus {

    private Softplus() {}

    /**
     * {@code log(1 + exp(x)) = -log_softmax([0, x])[0]}: stable for any x (the log-softmax shifts by the max) and with
     * the exact derivative {@code sigmoid(x)} everywhere. The branch form {@code max(x, 0) + log(1 + exp(-|x|))} is as
     * stable but its kinks give a derivative of 0 instead of 1/2 at exactly x = 0, where DPO starts when the reference
     * is the policy itself.
     *
     * @param x any shape
     */
    public static Tensor of(Tensor x) {
        Tensor pairs = Tensor.stack(List.of(Tensor.zeros(x.dtype(), x.shape()), x), -1);  // (..., 2)
        return pairs.logSoftmax(-1).narrow(-1, 0, 1).squeeze(-1).neg();
    }
}
