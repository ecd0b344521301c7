package dev.jtune.core.ops;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;

/**
 * Layer norm and RMS norm over the last dim as single autograd ops. The forward pass runs exactly the elementwise
 * steps of the composition ({@code Functional.layerNormComposed}, {@code rmsNormComposed}), so its output is the
 * composition's to the bit, but it frees its {@code [N, C]} temporaries at once; backward uses the closed-form gradient
 * and reads only the input and the per-row statistics. The composition kept up to five {@code [N, C]} tensors per norm
 * until the end of the step (GPT-2 124M has 25 norms).
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
        Tensor y, mean, rstd;
        try (var noGrad = GradMode.noGrad(); var temps = MemoryScope.open()) {
            Tensor xd = x.detach();
            mean = temps.keep(xd.mean(-1, true));                                  // [..., 1]
            Tensor centered = xd.sub(mean);                                       // [..., C]
            rstd = temps.keep(centered.mul(centered).mean(-1, true).add(eps).rsqrt());
            y = temps.keep(affine(centered.mul(rstd), weight, bias));
        }
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
        Tensor y, rstd;
        try (var noGrad = GradMode.noGrad(); var temps = MemoryScope.open()) {
            Tensor xd = x.detach();
            rstd = temps.keep(xd.mul(xd).mean(-1, true).add(eps).rsqrt());         // [..., 1]
            y = temps.keep(affine(xd.mul(rstd), weight, null));
        }
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

    /** {@code normalized * weight + bias}, each step skipped when its parameter is null. */
    private static Tensor affine(Tensor normalized, Tensor weight, Tensor bias) {
        Tensor y = weight == null ? normalized : normalized.mul(weight.detach());
        return bias == null ? y : y.add(bias.detach());
    }

    /** [..., C] summed over every dim but the last: [C]. */
    private static Tensor rowSum(Tensor t) {
        return t.reshape(-1, t.size(-1)).sum(0, false);
    }
}
