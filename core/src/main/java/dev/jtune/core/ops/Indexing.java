package dev.jtune.core.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.autograd.SavedTensor;
import java.util.Arrays;

/** Gathers and selections: index_select (and so embedding), where, masked_fill, triu/tril. */
public final class Indexing {

    private Indexing() {}

    /** Rows of {@code x} along {@code dim} picked by a 1-d integer {@code index}; backward scatter-adds. */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        Dispatch.requireCompute("index_select", x);
        int d = Shape.normalizeDim("index_select", dim, x.dim());
        if (index.dim() != 1) {
            throw new IllegalArgumentException("index_select: index must be 1-d, got shape " + index.shapeString());
        }
        int[] shape = x.shape();
        int size = shape[d];
        int[] idx = checkedIndices("index_select", index, size, d);
        int outer = Dispatch.outer(shape, d), inner = Dispatch.inner(shape, d);
        Tensor in = Dispatch.dense(x.detach());
        shape[d] = idx.length;
        Tensor out = Tensor.empty(x.dtype(), shape);  // every row is copied
        Dispatch.indexSelect(out, in, idx, outer, size, inner);
        return out.recordedBy(new Node("index_select", x) {
            @Override
            public Tensor[] backward(Tensor g) {  // a dense zero gradient with the selected rows' gradients added in
                Tensor gx = Tensor.zeros(g.dtype(), x.shape());
                Dispatch.indexAdd(gx, Dispatch.dense(g), idx, outer, size, inner);
                return new Tensor[] {gx};
            }

            /**
             * Scatter-adds an embedding's gradient into the existing buffer of its (tied) weight without a dense
             * {@code [V, C]} gradient. Rows picked more than once are summed first and added once,
             * {@code target[r] + (g1 + g2)}: the same bits as accumulating {@link #backward}'s dense gradient
             * ({@code 0 + g1 + g2}) into the buffer, which the engine's naive twin does. The partial sums live in a
             * buffer of fixed size {@code [idx.length, C]} (the pool reuses it every step), of which the first
             * {@code rows.length} rows are used.
             */
            @Override
            public boolean backwardInto(Tensor g, Tensor target) {
                if (outer != 1) return false;  // selection along a later dim: the dense backward
                int[] rows = distinct(idx), slot = slots(idx, rows);
                Tensor summed = Tensor.zeros(g.dtype(), idx.length, inner);        // (idx.length, C)
                Dispatch.indexAdd(summed, Dispatch.dense(g), slot, 1, idx.length, inner);
                Dispatch.indexAdd(target, summed, rows, 1, size, inner);          // reads rows.length rows
                return true;
            }
        });
    }

    /** The values of {@code index} in order of first appearance, each once. */
    private static int[] distinct(int[] index) {
        return Arrays.stream(index).distinct().toArray();
    }

    /** For each j, the position of {@code index[j]} in {@code rows}. */
    private static int[] slots(int[] index, int[] rows) {
        java.util.Map<Integer, Integer> at = new java.util.HashMap<>();
        for (int r = 0; r < rows.length; r++) at.put(rows[r], r);
        int[] slot = new int[index.length];
        for (int j = 0; j < index.length; j++) slot[j] = at.get(index[j]);
        return slot;
    }

    /** Elements of {@code a} where {@code condition} is non-zero, else of {@code b}; all three broadcast. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        Dispatch.requireSameCompute("where", a, b);
        int[] shape = Shape.broadcast("where", Shape.broadcast("where", condition.shape(), a.shape()), b.shape());
        Tensor mask = Dispatch.dense(condition.detach().to(a.dtype()).expand(shape));
        Tensor av = Dispatch.dense(a.detach().expand(shape)), bv = Dispatch.dense(b.detach().expand(shape));
        Tensor out = select(mask, av, bv);
        return out.recordedBy(new Node("where", a, b) {
            private final SavedTensor sm = save(mask);

            @Override
            public Tensor[] backward(Tensor g) {
                Tensor zero = Tensor.zeros(g.dtype(), shape);
                Tensor gd = Dispatch.dense(g);
                return new Tensor[] {
                    needsGrad(0) ? Arithmetic.sumTo(select(sm.get(), gd, zero), a) : null,
                    needsGrad(1) ? Arithmetic.sumTo(select(sm.get(), zero, gd), b) : null};
            }
        });
    }

    /** {@code value} where {@code mask} (broadcast to x's shape) is non-zero, else x. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        if (!Arrays.equals(Shape.broadcast("masked_fill", x.shape(), mask.shape()), x.shape())) {
            throw new IllegalArgumentException("masked_fill: mask of shape " + mask.shapeString()
                    + " does not broadcast to the input shape " + x.shapeString());
        }
        return where(mask, Tensor.scalar(value, x.dtype()), x);
    }

    /**
     * Keeps the upper ({@code col - row >= diagonal}) or lower ({@code col - row <= diagonal}) triangle of each matrix
     * in the last two dims, zeroing the rest; backward keeps the same triangle of the gradient.
     */
    public static Tensor triangle(Tensor x, int diagonal, boolean upper) {
        String name = upper ? "triu" : "tril";
        Dispatch.requireCompute(name, x);
        if (x.dim() < 2) throw new IllegalArgumentException(name + ": needs at least 2 dims, got " + x.shapeString());
        return triangleOf(x.detach(), diagonal, upper).recordedBy(new Node(name, x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {triangleOf(g, diagonal, upper)};
            }
        });
    }

    /** The triangle of {@code x} as a new tensor (no autograd). */
    private static Tensor triangleOf(Tensor x, int diagonal, boolean upper) {
        Tensor in = Dispatch.dense(x), out = Tensor.empty(x.dtype(), x.shape());
        Dispatch.triangle(out, in, x.size(-2), x.size(-1), diagonal, upper);
        return out;
    }

    /** {@code mask != 0 ? a : b} elementwise over three dense tensors of one shape. */
    private static Tensor select(Tensor mask, Tensor a, Tensor b) {
        Tensor out = Tensor.empty(a.dtype(), a.shape());
        Dispatch.where(out, mask, a, b);
        return out;
    }

    /** The indices of an integer tensor as int[], each checked to lie in {@code [0, size)}. */
    static int[] checkedIndices(String op, Tensor index, int size, int dim) {
        if (index.dtype() != DType.I64 && index.dtype() != DType.I32) {
            throw new IllegalArgumentException(op + ": index must be I64 or I32, got " + index.dtype());
        }
        long[] values = index.toLongArray();
        int[] idx = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= size) {
                throw new IndexOutOfBoundsException(op + ": index " + values[i] + " at position " + i
                        + " is out of range for dim " + dim + " of size " + size);
            }
            idx[i] = (int) values[i];
        }
        return idx;
    }
}
