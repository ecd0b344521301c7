package dev.jtune.core.ops;

import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** cat, stack, split, chunk. */
public final class Joining {

    private Joining() {}

    /** Concatenates along {@code dim}; all other dims must match. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("cat: needs at least one tensor");
        Tensor first = tensors.getFirst();
        int d = Shape.normalizeDim("cat", dim, first.dim());
        int[] shape = first.shape();
        int total = 0;
        for (int t = 0; t < tensors.size(); t++) {
            Tensor x = tensors.get(t);
            if (x.dtype() != first.dtype()) {
                throw new IllegalArgumentException("cat: tensor " + t + " is " + x.dtype() + ", tensor 0 is " + first.dtype());
            }
            int[] s = x.shape();
            s[d] = shape[d];
            if (x.dim() != first.dim() || !Arrays.equals(s, shape)) {
                throw new IllegalArgumentException("cat: tensor " + t + " has shape " + x.shapeString()
                        + ", which does not match " + first.shapeString() + " outside dim " + d);
            }
            total += x.size(d);
        }
        shape[d] = total;
        Tensor out = Tensor.empty(first.dtype(), shape);
        int at = 0;
        for (Tensor x : tensors) {  // each input into its slice of out, on the backend
            Dispatch.copyInto(out.narrow(d, at, x.size(d)), x);
            at += x.size(d);
        }
        if (!first.dtype().isCompute()) return out;
        return out.recordedBy(new Node("cat", tensors.toArray(Tensor[]::new)) {
            @Override
            public Tensor[] backward(Tensor g) {
                Tensor[] grads = new Tensor[tensors.size()];
                int start = 0;
                for (int t = 0; t < grads.length; t++) {
                    int len = tensors.get(t).size(d);
                    grads[t] = g.narrow(d, start, len);
                    start += len;
                }
                return grads;
            }
        });
    }

    /** Stacks equal-shaped tensors along a new dim. */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors.isEmpty()) throw new IllegalArgumentException("stack: needs at least one tensor");
        int d = Shape.normalizeDim("stack", dim, tensors.getFirst().dim() + 1);
        for (Tensor t : tensors) {
            if (!Arrays.equals(t.shape(), tensors.getFirst().shape())) {
                throw new IllegalArgumentException("stack: shapes differ: " + tensors.getFirst().shapeString() + " vs " + t.shapeString());
            }
        }
        return cat(tensors.stream().map(t -> t.unsqueeze(d)).toList(), d);
    }

    /** Views of {@code splitSize} elements along {@code dim}; the last may be smaller. */
    public static List<Tensor> split(Tensor x, int splitSize, int dim) {
        if (splitSize <= 0) throw new IllegalArgumentException("split: split size must be positive, got " + splitSize);
        int d = Shape.normalizeDim("split", dim, x.dim());
        List<Tensor> parts = new ArrayList<>();
        for (int start = 0; start < x.size(d); start += splitSize) {
            parts.add(x.narrow(d, start, Math.min(splitSize, x.size(d) - start)));
        }
        return parts;
    }

    /** {@code torch.chunk}: pieces of {@code ceil(size / chunks)} elements along {@code dim}. */
    public static List<Tensor> chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: chunks must be positive, got " + chunks);
        int d = Shape.normalizeDim("chunk", dim, x.dim());
        return split(x, Math.max(1, (x.size(d) + chunks - 1) / chunks), d);
    }
}
