package dev.jtune.core.ops;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;

/**
 * Layer norm and RMS norm over the last dim as single autograd ops. The forward pass is one backend call
 * ({@code Backend.layerNorm}, {@code rmsNorm}) that computes exactly the steps of the composition
 * ({@code Functional.layerNormComposed}, {@code rmsNormComposed}), so its output is the composition's to the bit; the
 * CPU backend fuses them row by row, one parallel loop where the composition ran about nine. Backward uses the
 * closed-form gradient and reads only the input and the per-row statistics. The composition kept up to five
 * {@code [N, C]} tensors per norm until the end of the step (GPT-2 124M has 25 norms).
 *
 * <p>With {@code xhat} the normalized input and {@code dxhat = g * weight}, per row of C elements:
 * layer norm {@code dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))}, RMS norm
 * {@code dx = rstd * (dxhat - xhat * mean(dxhat * xhat))}; {@code dweight = sum over rows of g * xhat},
 * {@code dbias = sum over rows of g}.
 */
public final class Normalization {

    private Normalization() {}

    /** {@code (x - mean) / sqrt(var + eps) * weight + bias} over the last dim (biased variance); weight, bias optional. */
    public static Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        checkShapes("layer_norm", x, weight, bias);
        Tensor xd = Dispatch.dense(x.detach());
        int cols = x.size(-1), rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.dtype(), x.shape());                      // every element is written
        Tensor mean = Tensor.empty(x.dtype(), statisticsShape(x)), rstd = Tensor.empty(x.dtype(), statisticsShape(x));
        Dispatch.layerNorm(y, mean, rstd, xd, denseOrNull(weight), denseOrNull(bias), rows, cols, eps);
        return y.recordedBy(new Node("layer_norm", x, weight, bias) {
            private final SavedTensor sx = save(x), sm = save(mean), sr = save(rstd);
            private final SavedTensor sw = weight == null ? null : save(weight);

            @Override
            public Tensor[] backward(Tensor g) {
                try (var noGrad = GradMode.noGrad(); var temps = MemoryScope.open()) {
                    Tensor r = sr.get(), xhat = sx.get().detach().sub(sm.get()).mul(r);
                    Tensor dxhat = sw == null ? g : g.mul(sw.get().detach());
                    Tensor dx = needsGrad(0) ? temps.keep(dxhat.sub(dxhat.mean(-1, true))
                            .sub(xhat.mul(dxhat.mul(xhat).mean(-1, true))).mul(r)) : null;
                    return new Tensor[] {dx, needsGrad(1) ? temps.keep(rowSum(g.mul(xhat))) : null,
                        needsGrad(2) ? temps.keep(rowSum(g)) : null};
                }
            }
        });
    }

    /** {@code x / sqrt(mean(x^2) + eps) * weight} over the last dim, as Llama's RMSNorm; weight optional. */
    public static Tensor rmsNorm(Tensor x, Tensor weight, double eps) {
        checkShapes("rms_norm", x, weight, null);
        Tensor xd = Dispatch.dense(x.detach());
        int cols = x.size(-1), rows = cols == 0 ? 0 : x.numel() / cols;
        Tensor y = Tensor.empty(x.dtype(), x.shape()), rstd = Tensor.empty(x.dtype(), statisticsShape(x));
        Dispatch.rmsNorm(y, rstd, xd, denseOrNull(weight), rows, cols, eps);
        return y.recordedBy(new Node("rms_norm", x, weight) {
            private final SavedTensor sx = save(x), sr = save(rstd);
            private final SavedTensor sw = weight == null ? null : save(weight);

            @Override
            public Tensor[] backward(Tensor g) {
                try (var noGrad = GradMode.noGrad(); var temps = MemoryScope.open()) {
                    Tensor r = sr.get(), xhat = sx.get().detach().mul(r);
                    Tensor dxhat = sw == null ? g : g.mul(sw.get().detach());
                    Tensor dx = needsGrad(0) ? temps.keep(dxhat.sub(xhat.mul(dxhat.mul(xhat).mean(-1, true))).mul(r))
                            : null;
                    return new Tensor[] {dx, needsGrad(1) ? temps.keep(rowSum(g.mul(xhat))) : null};
                }
            }
        });
    }

    /** Fails unless x has a compute dtype and a last dim C, and weight and bias (when given) are [C] of its dtype. */
    private static void checkShapes(String op, Tensor x, Tensor weight, Tensor bias) {
        Dispatch.requireCompute(op, x);
        if (x.dim() == 0) throw new IllegalArgumentException(op + ": the input must have a last dim, got a scalar");
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p == null) continue;
            Dispatch.requireSameCompute(op, x, p);
            if (p.dim() != 1 || p.size(0) != x.size(-1)) {
                throw new IllegalArgumentException(op + ": " + (p == weight ? "weight" : "bias") + " of shape "
                        + p.shapeString() + " does not match the last dim of input " + x.shapeString());
            }
        }
    }

    /** The shape of the per-row statistics: x's with the last dim 1. */
    private static int[] statisticsShape(Tensor x) {
        int[] shape = x.shape();
        shape[shape.length - 1] = 1;
        return shape;
    }

    private static Tensor denseOrNull(Tensor t) {
        return t == null ? null : Dispatch.dense(t.detach());
    }

    /** [..., C] summed over every dim but the last: [C]. */
    private static Tensor rowSum(Tensor t) {
        return t.reshape(-1, t.size(-1)).sum(0, false);
    }
}
