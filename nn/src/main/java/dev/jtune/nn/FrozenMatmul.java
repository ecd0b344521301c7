package dev.jtune.nn;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.ops.LinearAlgebra;

/**
 * {@code x @ W (+ b)} with a frozen BF16/F16 weight (a LoRA base kept in bf16): the product reads W's half-precision
 * bits in place ({@link LinearAlgebra#matmulHalfWeight}: no F32 copy of W, the bits of converting it first), forward
 * and in backward for {@code dx}. Only the input is differentiable.
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
            y = LinearAlgebra.matmulHalfWeight(x, transposed ? weight.t() : weight);  // W as [in, out]
            if (bias != null) y.add_(bias.to(DType.F32));                            // addmm's bias, in place
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
            try (var noGrad = GradMode.noGrad()) {
                Tensor w = weight.get();
                return new Tensor[] {LinearAlgebra.matmulHalfWeight(g, transposed ? w : w.t())};
            }
        }
    }
}
