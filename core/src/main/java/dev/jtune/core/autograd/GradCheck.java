package dev.jtune.core.autograd;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Checks analytic gradients against float64 central differences, like {@code torch.autograd.gradcheck}.
 *
 * <p>The function's output is reduced with a fixed random weighting ({@code sum(f(x) * w)}), never a plain sum: a
 * plain sum of a softmax has zero gradient and would prove nothing. Inputs must be F64 tensors; those that require
 * grad are checked element by element.
 */
public final class GradCheck {

    /** The tolerances of PyTorch's gradcheck: eps 1e-6, atol 1e-5, rtol 1e-3. */
    public record Options(double eps, double atol, double rtol, long seed) {
        public static final Options DEFAULT = new Options(1e-6, 1e-5, 1e-3, 0);
    }

    private GradCheck() {}

    /** Checks with {@link Options#DEFAULT}; throws {@link AssertionError} naming the input and element on failure. */
    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(f, Options.DEFAULT, inputs);
    }

    public static void check(Function<Tensor[], Tensor> f, Options options, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in.requiresGrad() && in.dtype() != DType.F64) {
                throw new IllegalArgumentException("GradCheck: inputs that require grad must be F64, got " + in.dtype());
            }
        }
        Tensor probe = f.apply(inputs);
        Tensor weights = Tensor.randn(new Generator(options.seed()), DType.F64, probe.shape());
        for (Tensor in : inputs) in.zeroGrad();
        Tensor loss = weighted(f, inputs, weights);
        if (!loss.requiresGrad()) throw new AssertionError("GradCheck: the output does not depend on any input that requires grad");
        loss.backward();
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (!in.requiresGrad()) continue;
            double[] analytic = in.grad() == null ? new double[in.numel()] : in.grad().toDoubleArray();
            double[] numeric = numericGradient(f, inputs, in, weights, options.eps());
            for (int j = 0; j < numeric.length; j++) {
                double diff = Math.abs(analytic[j] - numeric[j]);
                if (!(diff <= options.atol() + options.rtol() * Math.abs(numeric[j]))) {
                    throw new AssertionError("GradCheck: input " + i + " of shape " + in.shapeString() + ", element " + j
                            + ": analytic " + analytic[j] + " vs numeric " + numeric[j] + " (|diff| " + diff + ")"
                            + "\n analytic " + Arrays.toString(analytic) + "\n numeric  " + Arrays.toString(numeric));
                }
            }
        }
    }

    private static Tensor weighted(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights) {
        Tensor out = f.apply(inputs);
        if (out.dtype() != DType.F64) throw new IllegalArgumentException("GradCheck: output must be F64, got " + out.dtype());
        return out.mul(weights).sum();
    }

    /** d loss / d input by central differences, perturbing the input's storage in place (restored after). */
    private static double[] numericGradient(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor input,
                                            Tensor weights, double eps) {
        double[] data = input.storage().doubles();
        if (!input.isContiguous()) throw new IllegalArgumentException("GradCheck: inputs must be contiguous");
        double[] grad = new double[input.numel()];
        try (var scope = GradMode.noGrad()) {
            for (int j = 0; j < grad.length; j++) {
                int pos = input.offset() + j;
                double saved = data[pos];
                data[pos] = saved + eps;
                double plus = weighted(f, inputs, weights).item();
                data[pos] = saved - eps;
                double minus = weighted(f, inputs, weights).item();
                data[pos] = saved;
                grad[j] = (plus - minus) / (2 * eps);
            }
        }
        return grad;
    }
}
