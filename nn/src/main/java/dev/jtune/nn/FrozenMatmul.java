package dev.jtune.nn;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.ops.LinearAlgebra;

/**
 * {@code x @ W (+ b)} with a frozen BF16/F16 weight (a LoRA base kept in bf16): the F32 copy of {@code W} lives only
 * while the product is computed, and backward converts {@code W} again for {@code dx}. A plain matmul would keep the
 * copy for backward, so a step would hold an F32 copy of every frozen weight at once, more than an F32 base.
 */
final class FrozenMatmul {

    private FrozenMatmul() {}

    /**
     * @param x          [..., in] F32
     * @param weight     [in, out] (a Conv1D), or [out, in] with {@code transposed} (a Linear); BF16 or F16, frozen
     * @param bias       [out] frozen, or null
     * @return [..., out] F32, differentiable in {@code x}
     */
    static Tensor apply(Tensor x, Tensor weight, Tensor bias, boolean transposed) {
        Tensor y;
        try (var noGrad = GradMode.noGrad()) {
            Tensor w = weight.to(DType.F32);
            Tensor b = bias == null ? null : bias.to(DType.F32);
            Tensor wOp = transposed ? w.t() : w;  // [in, out]
            y = b == null ? x.matmul(wOp) : LinearAlgebra.addmm(b, x, wOp);
            w.storage().release("after the frozen matmul that converted it");
        }
        return y.recordedBy(new Backward(x, weight, transposed));
    }

    private static final class Backward extends Node {
        private final SavedTensor weight;
        private final boolean transposed;

        Backward(Tensor x, Tensor weight, boolean transposed) {
            super("frozen_matmul", x);
            this.weight = save(weight);
            this.transposed = transposed;
        }

        @Override
        public Tensor[] backward(Tensor g) {  // g [..., out]; dx = g @ W^T, [..., in]
            Tensor w;
            try (var noGrad = GradMode.noGrad()) {
                w = weight.get().to(DType.F32);
                Tensor dx = g.matmul(transposed ? w : w.t());
                w.storage().release("after the frozen matmul's backward that converted it");
                return new Tensor[] {dx};
            }
        }
    }
}
