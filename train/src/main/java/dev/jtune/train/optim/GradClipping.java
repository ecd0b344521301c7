package dev.jtune.train.optim;

import dev.jtune.core.Tensor;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.nn.Parameter;
import java.util.Collection;

/**
 * {@code torch.nn.utils.clip_grad_norm_}: the L2 norm of all gradients taken together (the norm of the per-tensor
 * norms), and when it exceeds {@code maxNorm} every gradient scaled by {@code maxNorm / (norm + 1e-6)}.
 *
 * <p>Sums of squares are taken in double over fixed blocks of each tensor and then added in block order, so the norm
 * is the same whatever the thread count.
 */
public final class GradClipping {

    private static final int BLOCK = 1 << 14;

    private GradClipping() {}

    /** The total gradient norm (before clipping; NaN or infinite when a gradient is), after clipping in place. */
    public static double clipGradNorm(Collection<Parameter> parameters, double maxNorm) {
        double sumOfNormSquares = 0;
        for (Parameter p : parameters) {
            if (p.grad() == null) continue;
            float norm = (float) Math.sqrt(sumOfSquares(hostArray(p.grad())));
            sumOfNormSquares += (double) norm * norm;
        }
        float total = (float) Math.sqrt(sumOfNormSquares);
        float coef = (float) maxNorm / (total + 1e-6f);
        if (coef < 1f) {
            for (Parameter p : parameters) {
                Tensor g = p.grad();
                if (g == null) continue;
                float[] a = hostArray(g);
                Parallel.forRange(a.length, BLOCK, (start, end) -> {
                    for (int i = start; i < end; i++) a[i] *= coef;
                });
                g.storage().bumpVersion();
            }
        }
        return total;
    }

    /** The gradient's array on the host (a device backend copies it over: the norm is taken here, in double). */
    private static float[] hostArray(Tensor gradient) {
        AdamW.requireFlat(gradient, "gradient");
        return gradient.storage().floats();
    }

    private static double sumOfSquares(float[] a) {
        int blocks = (a.length + BLOCK - 1) / BLOCK;
        double[] partial = new double[blocks];
        Parallel.forRange(blocks, 1, (from, to) -> {
            for (int b = from; b < to; b++) {
                double s = 0;
                for (int i = b * BLOCK, end = Math.min(a.length, i + BLOCK); i < end; i++) s += (double) a[i] * a[i];
                partial[b] = s;
            }
        });
        double sum = 0;
        for (double s : partial) sum += s;
        return sum;
    }
}
