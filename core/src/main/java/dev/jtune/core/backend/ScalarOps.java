package dev.jtune.core.backend;

import dev.jtune.core.kernels.ScalarMath;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** The double-precision function behind each elementwise op: the reference's definition, shared by every backend. */
final class ScalarOps {

    private ScalarOps() {}

    static DoubleUnaryOperator of(UnaryOp op) {
        return switch (op) {
            case NEG -> x -> -x;
            case EXP -> Math::exp;
            case LOG -> Math::log;
            case SQRT -> Math::sqrt;
            case RSQRT -> x -> 1 / Math.sqrt(x);
            case TANH -> Math::tanh;
            case SIGMOID -> ScalarMath::sigmoid;
            case ABS -> Math::abs;
            case SIGN -> Math::signum;
            case RELU -> ScalarMath::relu;
            case STEP -> ScalarMath::step;
            case GELU -> ScalarMath::gelu;
            case GELU_GRAD -> ScalarMath::geluGrad;
            case GELU_TANH -> ScalarMath::geluTanh;
            case GELU_TANH_GRAD -> ScalarMath::geluTanhGrad;
            case SILU -> ScalarMath::silu;
            case SILU_GRAD -> ScalarMath::siluGrad;
        };
    }

    static DoubleBinaryOperator of(BinaryOp op) {
        return switch (op) {
            case ADD -> Double::sum;
            case SUB -> (a, b) -> a - b;
            case MUL -> (a, b) -> a * b;
            case DIV -> (a, b) -> a / b;
            case POW -> Math::pow;
            case MAXIMUM -> Math::max;
            case MINIMUM -> Math::min;
            case EQ -> (a, b) -> a == b ? 1 : 0;
            case GT -> (a, b) -> a > b ? 1 : 0;
        };
    }
}
