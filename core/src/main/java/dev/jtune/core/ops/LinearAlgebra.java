package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.kernels.Strided;
import java.util.Arrays;

/** Matrix products with broadcast batch dims; transposed operands are read through strides, never copied. */
public final class LinearAlgebra {

    private LinearAlgebra() {}

    /** {@code a @ b} with PyTorch's rules: 1-d operands get a dim added then removed, batch dims broadcast. */
    public static Tensor matmul(Tensor a, Tensor b) {
        Dispatch.requireSameCompute("matmul", a, b);
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul: both operands need at least 1 dim, got " + a.shapeString()
                    + " @ " + b.shapeString());
        }
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(-1)).squeeze(-1);
        int k = a.size(-1);
        if (b.size(-2) != k) {
            throw new IllegalArgumentException("matmul: " + a.shapeString() + " @ " + b.shapeString()
                    + ": inner dimensions " + k + " != " + b.size(-2));
        }
        if (b.dim() == 2 && a.dim() > 2) {  // [..., m, k] @ [k, n]: one big [M, k] @ [k, n] product
            int[] outShape = a.shape();
            outShape[outShape.length - 1] = b.size(1);
            return matmul(a.reshape(-1, k), b).reshape(outShape);
        }
        Tensor out = product(a, b);
        return out.recordedBy(new Node("matmul", a, b) {
            private final SavedTensor sa = needsGrad(1) ? save(a) : null, sb = needsGrad(0) ? save(b) : null;

            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {
                    needsGrad(0) ? Arithmetic.sumTo(gradientOf(g, sb.get(), a, true), a) : null,
                    needsGrad(1) ? Arithmetic.sumTo(gradientOf(g, sa.get(), b, false), b) : null};
            }
        });
    }

    /**
     * {@code bias + a @ b} as one op, like {@code torch.addmm}: {@code a [..., k]}, a matrix {@code b [k, n]} (a
     * transposed view is read in place) and {@code bias [n]}. The bias is added in the product's own buffer, so a
     * linear layer makes one {@code [..., n]} tensor instead of a product and a sum.
     */
    public static Tensor addmm(Tensor bias, Tensor a, Tensor b) {
        Dispatch.requireSameCompute("addmm", a, b);
        Dispatch.requireSameCompute("addmm", bias, b);
        if (a.dim() == 0 || b.dim() != 2 || bias.dim() != 1 || a.size(-1) != b.size(0) || bias.size(0) != b.size(1)) {
            throw new IllegalArgumentException("addmm: expects a [..., k], b [k, n] and bias [n], got "
                    + a.shapeString() + ", " + b.shapeString() + " and " + bias.shapeString());
        }
        int k = b.size(0);
        int[] outShape = a.shape();
        outShape[outShape.length - 1] = b.size(1);
        Tensor rows = a.reshape(-1, k);                                                 // (M, k)
        Tensor out = product(rows, b);                                                  // (M, n)
        Dispatch.binaryInto("addmm", BinaryOp.ADD, out, out, bias);  // + bias, in place
        return out.recordedBy(new Node("addmm", rows, b, bias) {
            private final SavedTensor sa = needsGrad(1) ? save(rows) : null, sb = needsGrad(0) ? save(b) : null;

            @Override
            public Tensor[] backward(Tensor g) {                                          // g: (M, n)
                return new Tensor[] {
                    needsGrad(0) ? gradientOf(g, sb.get(), rows, true) : null,
                    needsGrad(1) ? gradientOf(g, sa.get(), b, false) : null,
                    needsGrad(2) ? Reductions.sum(g, new int[] {0}, false) : null};
            }
        }).reshape(outShape);
    }

    /**
     * {@code a @ w} with a frozen half-precision weight: {@code a [..., k]} F32, {@code w [k, n]} BF16 or F16 (a
     * transposed view of a Linear's {@code [n, k]} weight is read in place). The bits of {@code a.matmul(w.to(F32))},
     * without the F32 copy of {@code w}: the CPU backends convert its panels as they pack them. No autograd: the
     * caller records the node (a LoRA base layer, whose weight is frozen, differentiates in {@code a} only).
     */
    public static Tensor matmulHalfWeight(Tensor a, Tensor w) {
        if (a.dtype() != DType.F32 || (w.dtype() != DType.BF16 && w.dtype() != DType.F16)) {
            throw new IllegalArgumentException("matmulHalfWeight: expects an F32 input and a BF16 or F16 weight, got "
                    + a.dtype() + " " + a.shapeString() + " and " + w.dtype() + " " + w.shapeString());
        }
        if (a.dim() == 0 || w.dim() != 2 || a.size(-1) != w.size(0)) {
            throw new IllegalArgumentException("matmulHalfWeight: expects a [..., k] and w [k, n], got "
                    + a.shapeString() + " and " + w.shapeString());
        }
        if (GradMode.isEnabled() && a.requiresGrad()) {
            throw new IllegalStateException("matmulHalfWeight records no gradient, but its input " + a.shapeString()
                    + " requires grad: call it under GradMode.noGrad() and record the node (as nn's FrozenMatmul does)");
        }
        int[] outShape = a.shape();
        outShape[outShape.length - 1] = w.size(1);
        return product(a.reshape(-1, w.size(0)), w).reshape(outShape);
    }

    /**
     * The gradient of one operand of {@code out = a @ b}: {@code g @ b^T} for a, {@code a^T @ g} for b. When the
     * operand is itself a transposed view (a tied head's {@code wte.t()}), the transposed product is computed and
     * returned as a transposed view, so the gradient reaches the contiguous weight without a strided copy.
     */
    private static Tensor gradientOf(Tensor g, Tensor other, Tensor operand, boolean left) {
        boolean transposedView = operand.dim() == 2 && operand.strides()[0] == 1 && operand.size(0) > 1;
        if (!transposedView) {
            return left ? product(g, other.transpose(-1, -2)) : product(other.transpose(-1, -2), g);
        }
        Tensor t = left ? product(other, g.transpose(-1, -2)) : product(g.transpose(-1, -2), other);  // = grad^T
        return t.transpose(-1, -2);
    }

    /** The batched product of two tensors with at least 2 dims (no autograd); {@code b} may be BF16/F16 (F32 {@code a}). */
    private static Tensor product(Tensor a, Tensor b) {
        int m = a.size(-2), k = a.size(-1), n = b.size(-1);
        int[] batchA = Arrays.copyOf(a.shape(), a.dim() - 2), batchB = Arrays.copyOf(b.shape(), b.dim() - 2);
        int[] batch = Shape.broadcast("matmul", batchA, batchB);
        int[] aOffsets = batchOffsets(a, batch), bOffsets = batchOffsets(b, batch);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Tensor out = Tensor.empty(a.dtype(), outShape);
        int[] as = a.strides(), bs = b.strides();
        int ar = as[a.dim() - 2], ac = as[a.dim() - 1], br = bs[b.dim() - 2], bc = bs[b.dim() - 1];
        if (b.dtype() == DType.BF16 || b.dtype() == DType.F16) {
            Dispatch.matmulHalfB(out, a, aOffsets, ar, ac, b, bOffsets, br, bc, m, n, k);
        } else {
            Dispatch.matmul(out, a, aOffsets, ar, ac, b, bOffsets, br, bc, m, n, k);
        }
        return out;
    }

    /** The storage offset of each matrix of {@code t} when its batch dims are broadcast to {@code batch}. */
    private static int[] batchOffsets(Tensor t, int[] batch) {
        int[] shape = Arrays.copyOf(t.shape(), t.dim() - 2), strides = Arrays.copyOf(t.strides(), t.dim() - 2);
        int[] bs = Shape.broadcastStrides(shape, strides, batch);
        int[] offsets = new int[Shape.numel(batch)];
        Strided.forEach(batch, t.offset(), bs, 0, bs, (i, pos, unused) -> offsets[i] = pos);
        return offsets;
    }
}
