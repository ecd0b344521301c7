package dev.jtune.core.ops;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import dev.jtune.core.backend.UnaryOp;

/** Elementwise functions of one tensor (exp, log, tanh, gelu, ...) and their derivatives. */
public final class Pointwise {

    private Pointwise() {}

    /** {@code op} applied to every element of {@code x}. */
    public static Tensor apply(Tensor x, UnaryOp op) {
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        Dispatch.requireCompute(name, x);
        if (isDerivative(op) && x.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalArgumentException(name + " is the derivative used inside backward; differentiating it "
                    + "again (a second derivative) is not supported");
        }
        Tensor y = Dispatch.unary(op, x);
        return y.recordedBy(new UnaryNode(name, op, x, y));
    }

    private static boolean isDerivative(UnaryOp op) {
        return op == UnaryOp.GELU_GRAD || op == UnaryOp.GELU_TANH_GRAD || op == UnaryOp.SILU_GRAD;
    }

    /** GELU with PyTorch's {@code approximate} argument: "none" (exact) or "tanh". */
    public static Tensor gelu(Tensor x, String approximate) {
        return switch (approximate) {
            case "none" -> apply(x, UnaryOp.GELU);
            case "tanh" -> apply(x, UnaryOp.GELU_TANH);
            default -> throw new IllegalArgumentException("gelu: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        };
    }

    /** Backward of a unary op: {@code g * f'(x)}, with f' written through x or through the output y. */
    private static final class UnaryNode extends Node {
        private final UnaryOp op;
        private final SavedTensor x;
        private final SavedTensor y;

        UnaryNode(String name, UnaryOp op, Tensor x, Tensor y) {
            super(name, x);
            this.op = op;
            this.x = save(x);
            this.y = save(y);
        }

        @Override
        public Tensor[] backward(Tensor g) {
            return new Tensor[] {switch (op) {
                case NEG -> g.neg();
                case EXP -> g.mul(y.get());
                case LOG -> g.div(x.get());
                case SQRT -> g.div(y.get().mul(2));
                case RSQRT -> g.mul(y.get().mul(y.get()).mul(y.get()).mul(-0.5));
                case ABS -> g.mul(Dispatch.unary(UnaryOp.SIGN, x.get()));
                case TANH -> g.mul(y.get().mul(y.get()).neg().add(1));
                case SIGMOID -> g.mul(y.get().mul(y.get().neg().add(1)));
                case RELU -> g.mul(Dispatch.unary(UnaryOp.STEP, x.get()));
                case GELU -> g.mul(Dispatch.unary(UnaryOp.GELU_GRAD, x.get()));
                case GELU_TANH -> g.mul(Dispatch.unary(UnaryOp.GELU_TANH_GRAD, x.get()));
                case SILU -> g.mul(Dispatch.unary(UnaryOp.SILU_GRAD, x.get()));
                case SIGN, STEP -> Tensor.zeros(g.dtype(), g.shape());  // piecewise constant, as in PyTorch
                case GELU_GRAD, GELU_TANH_GRAD, SILU_GRAD -> throw new IllegalStateException(op + " is never recorded");
            }};
        }
    }
}
