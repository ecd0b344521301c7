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

    /**
     * Backward of a unary op: {@code g * f'(x)}. Each derivative is written through the input x or through the output
     * y, whichever is cheaper, and the node saves only that one.
     */
    private static final class UnaryNode extends Node {
        private final UnaryOp op;
        private final SavedTensor saved;  // x or y, as the derivative below reads

        UnaryNode(String name, UnaryOp op, Tensor x, Tensor y) {
            super(name, x);
            this.op = op;
            this.saved = switch (op) {
                case EXP, SQRT, RSQRT, TANH, SIGMOID -> save(y);
                case LOG, ABS, RELU, GELU, GELU_TANH, SILU -> save(x);
                case NEG, SIGN, STEP, GELU_GRAD, GELU_TANH_GRAD, SILU_GRAD -> null;
            };
        }

        @Override
        public Tensor[] backward(Tensor g) {
            return new Tensor[] {switch (op) {
                case NEG -> g.neg();                                                            // d(-x) = -1
                case EXP -> g.mul(saved.get());                                                 // y
                case LOG -> g.div(saved.get());                                                 // 1 / x
                case SQRT -> g.div(saved.get().mul(2));                                         // 1 / (2y)
                case RSQRT -> g.mul(saved.get().mul(saved.get()).mul(saved.get()).mul(-0.5));   // -y^3 / 2
                case ABS -> g.mul(Dispatch.unary(UnaryOp.SIGN, saved.get()));                   // sign(x)
                case TANH -> g.mul(saved.get().mul(saved.get()).neg().add(1));                  // 1 - y^2
                case SIGMOID -> g.mul(saved.get().mul(saved.get().neg().add(1)));               // y (1 - y)
                case RELU -> g.mul(Dispatch.unary(UnaryOp.STEP, saved.get()));                  // x > 0
                case GELU -> g.mul(Dispatch.unary(UnaryOp.GELU_GRAD, saved.get()));
                case GELU_TANH -> g.mul(Dispatch.unary(UnaryOp.GELU_TANH_GRAD, saved.get()));
                case SILU -> g.mul(Dispatch.unary(UnaryOp.SILU_GRAD, saved.get()));
                case SIGN, STEP -> Tensor.zeros(g.dtype(), g.shape());  // piecewise constant, as in PyTorch
                case GELU_GRAD, GELU_TANH_GRAD, SILU_GRAD -> throw new IllegalStateException(op + " is never recorded");
            }};
        }
    }
}
