package dev.jtune.core.ops;

import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.backend.ReduceOp;
import java.util.Arrays;

/** Reductions along dims with {@code keepdim}: sum, mean, max (with its argmax), argmax, var. */
public final class Reductions {

    private Reductions() {}

    /** The sum over {@code dims} (each in {@code [-rank, rank)}, no repeats). */
    public static Tensor sum(Tensor x, int[] dims, boolean keepdim) {
        Dispatch.requireCompute("sum", x);
        boolean[] reduced = reducedDims("sum", x.dim(), dims);
        Tensor out = x.detach();
        for (int d = x.dim() - 1; d >= 0; d--) {
            if (reduced[d]) out = Dispatch.reduce(ReduceOp.SUM, out, d);
        }
        if (out.storage() == x.storage()) out = Views.copy(out);  // nothing reduced: still a new tensor
        int[] keptShape = out.shape();
        Tensor result = keepdim ? out : out.reshape(dropDims(keptShape, reduced));
        return result.recordedBy(new Node("sum", x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {g.reshape(keptShape).expand(x.shape())};
            }
        });
    }

    /** The mean over {@code dims}. */
    public static Tensor mean(Tensor x, int[] dims, boolean keepdim) {
        boolean[] reduced = reducedDims("mean", x.dim(), dims);
        long count = 1;
        for (int d = 0; d < x.dim(); d++) if (reduced[d]) count *= x.size(d);
        return sum(x, dims, keepdim).div(count);
    }

    /** The maximum along {@code dim}; the gradient flows to the first maximal element (the argmax). */
    public static Tensor max(Tensor x, int dim, boolean keepdim) {
        Dispatch.requireCompute("max", x);
        if (x.dim() == 0) return x.clone();
        int d = Shape.normalizeDim("max", dim, x.dim());
        if (x.size(d) == 0) {
            throw new IllegalArgumentException("max: cannot reduce dim " + dim + " of size 0 (shape " + x.shapeString() + ")");
        }
        Tensor values = Dispatch.reduce(ReduceOp.MAX, x.detach(), d);
        Tensor index = Dispatch.argmax(x.detach(), d);  // keepdim shape
        Tensor result = keepdim ? values : values.squeeze(d);
        return result.recordedBy(new Node("max", x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {scatterAlong(g.reshape(index.shape()), index, d, x.shape())};
            }
        });
    }

    /** The index of the first maximum along {@code dim}, as I64 (not differentiable). */
    public static Tensor argmax(Tensor x, int dim, boolean keepdim) {
        Dispatch.requireCompute("argmax", x);
        int d = Shape.normalizeDim("argmax", dim, x.dim());
        Tensor index = Dispatch.argmax(x, d);
        return keepdim || x.dim() == 0 ? index : index.squeeze(d);
    }

    /** The variance along {@code dim} with {@code correction} subtracted from the count (1: unbiased). */
    public static Tensor var(Tensor x, int dim, int correction, boolean keepdim) {
        int d = Shape.normalizeDim("var", dim, x.dim());
        Tensor centered = x.sub(x.mean(d, true));
        return centered.mul(centered).sum(d, keepdim).div(Math.max(0, x.size(d) - correction));
    }

    /** A zero tensor of {@code shape} with {@code g[..., 0, ...]} placed at {@code index} along {@code d}. */
    private static Tensor scatterAlong(Tensor g, Tensor index, int d, int[] shape) {
        Tensor out = Tensor.zeros(g.dtype(), shape);
        Dispatch.scatter(out, Dispatch.dense(g), Dispatch.dense(index), Dispatch.outer(shape, d), shape[d],
                Dispatch.inner(shape, d));
        return out;
    }

    private static boolean[] reducedDims(String op, int rank, int[] dims) {
        boolean[] reduced = new boolean[Math.max(rank, 1)];
        for (int dim : dims) {
            int d = Shape.normalizeDim(op, dim, rank);
            if (reduced[d]) throw new IllegalArgumentException(op + ": dim " + dim + " appears twice in " + Arrays.toString(dims));
            reduced[d] = true;
        }
        return rank == 0 ? new boolean[0] : reduced;
    }

    private static int[] dropDims(int[] shape, boolean[] reduced) {
        int n = 0;
        for (boolean r : reduced) if (!r) n++;
        int[] out = new int[n];
        for (int d = 0, j = 0; d < shape.length; d++) if (!reduced[d]) out[j++] = shape[d];
        return out;
    }
}
