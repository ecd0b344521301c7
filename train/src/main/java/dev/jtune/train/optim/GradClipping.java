package dev.jtune.train.optim;

import dev.jtune.core.DType;
import dev.jtune.core.Tensor;
import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.nn.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code torch.nn.utils.clip_grad_norm_}: the L2 norm of all gradients taken together (the norm of the per-tensor
 * norms), and when it exceeds {@code maxNorm} every gradient scaled by {@code maxNorm / (norm + 1e-6)}.
 *
 * <p>Both passes are the current backend's kernels on the gradients' own buffers, so on a device backend the gradients
 * stay on the device: each tensor's sum of squares is {@link Backend#sumOfSquares} (in double, over fixed blocks added
 * in order, so the norm does not depend on the thread count; only the one number per tensor reaches this code, all of
 * them from one {@link Backend#sumsOfSquares} call), and the scaling is a broadcast {@link BinaryOp#MUL} by the float
 * coefficient, in place.
 */
public final class GradClipping {

    private GradClipping() {}

    /**
     * The total gradient norm (before clipping; NaN or infinite when a gradient is), after clipping in place. The
     * trainer instead hands {@link #clipCoefficient} to {@link AdamW#step(float)}, which gives the same bits without
     * writing the gradients; this is that path's twin.
     */
    public static double clipGradNorm(Collection<Parameter> parameters, double maxNorm) {
        Backend<Object> backend = Backends.currentForKernelBuffers();
        float total = totalNorm(parameters);
        float coef = clipCoefficient(total, maxNorm);
        if (coef < 1f) {
            Tensor scale = Tensor.scalar(coef, DType.F32);  // broadcast over each gradient (stride 0)
            for (Parameter p : parameters) {
                if (p.grad() == null) continue;
                Tensor g = flat(p.grad());
                Object grad = g.storage().kernelBuffer();
                backend.binary(BinaryOp.MUL, grad, grad, 0, new int[] {1}, scale.storage().kernelBuffer(), 0,
                        new int[] {0}, new int[] {g.numel()});
                g.storage().bumpVersion();
            }
        }
        return total;
    }

    /**
     * The L2 norm of all gradients together: the norm of the per-tensor norms, each taken in double, in float. The
     * sums of squares come from one {@link Backend#sumsOfSquares} call (one round trip on a device).
     */
    public static float totalNorm(Collection<Parameter> parameters) {
        List<Object> buffers = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        for (Parameter p : parameters) {
            if (p.grad() == null) continue;
            Tensor g = flat(p.grad());
            buffers.add(g.storage().kernelBuffer());
            sizes.add(g.numel());
        }
        double[] sums = Backends.currentForKernelBuffers()
                .sumsOfSquares(buffers, sizes.stream().mapToInt(Integer::intValue).toArray());
        double sumOfNormSquares = 0;
        for (double sum : sums) {
            float norm = (float) Math.sqrt(sum);
            sumOfNormSquares += (double) norm * norm;
        }
        return (float) Math.sqrt(sumOfNormSquares);
    }

    /**
     * What clipping multiplies every gradient by: {@code maxNorm / (totalNorm + 1e-6)} in float when that is below 1,
     * else 1 (torch's {@code clip_coef_clamped}; a product with 1 changes no bit). 1 for a NaN norm.
     */
    public static float clipCoefficient(float totalNorm, double maxNorm) {
        float coef = (float) maxNorm / (totalNorm + 1e-6f);
        return coef < 1f ? coef : 1f;
    }

    /** The gradient, checked to be one flat F32 buffer (the kernels read and write it whole). */
    private static Tensor flat(Tensor gradient) {
        AdamW.requireFlat(gradient, "gradient");
        return gradient;
    }
}
