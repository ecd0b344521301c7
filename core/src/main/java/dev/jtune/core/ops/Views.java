package dev.jtune.core.ops;

import dev.jtune.core.Shape;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.Node;
import java.util.Arrays;

/** Views that share storage (view, reshape, transpose, permute, narrow, expand, squeeze, unsqueeze) and copies. */
public final class Views {

    private Views() {}

    public static Tensor view(Tensor x, int[] newShape) {
        int[] shape = inferShape("view", x, newShape);
        if (!x.isContiguous()) {
            throw new IllegalArgumentException("view: a non-contiguous tensor of shape " + x.shapeString() + " (strides "
                    + Shape.format(x.strides()) + ") cannot be viewed as " + Shape.format(shape) + "; use reshape()");
        }
        return reshaped(x, shape, Shape.contiguousStrides(shape));
    }

    /**
     * {@code x} with a new shape: a view sharing storage whenever strides can express it (always for a contiguous
     * {@code x}; for a strided one when each run of merged dims is contiguous in memory, as PyTorch's reshape), else a
     * copy.
     */
    public static Tensor reshape(Tensor x, int[] newShape) {
        int[] shape = inferShape("reshape", x, newShape);
        if (x.isContiguous()) return reshaped(x, shape, Shape.contiguousStrides(shape));
        int[] strides = x.numel() == 0 ? null : viewStrides(x.shape(), x.strides(), shape);
        if (strides != null) return reshaped(x, shape, strides);
        return reshaped(x.contiguous(), shape, Shape.contiguousStrides(shape));
    }

    /**
     * The strides of {@code shape} as a view of a tensor with {@code oldShape} and {@code oldStrides} (same number of
     * elements, at least one), or null when no strides can express it (PyTorch's {@code computeStride}): the old dims
     * are cut into chunks that are contiguous among themselves, and each chunk must be covered by whole new dims.
     */
    static int[] viewStrides(int[] oldShape, int[] oldStrides, int[] shape) {
        int[] strides = new int[shape.length];
        int viewDim = shape.length - 1;
        long chunkBaseStride = oldStrides[oldStrides.length - 1], oldNumel = 1, viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            oldNumel *= oldShape[d];
            boolean chunkEnds = d == 0 || (oldShape[d - 1] != 1 && oldStrides[d - 1] != oldNumel * chunkBaseStride);
            if (!chunkEnds) continue;
            while (viewDim >= 0 && (viewNumel < oldNumel || shape[viewDim] == 1)) {
                strides[viewDim] = (int) (viewNumel * chunkBaseStride);
                viewNumel *= shape[viewDim];
                viewDim--;
            }
            if (viewNumel != oldNumel) return null;
            if (d > 0) {
                chunkBaseStride = oldStrides[d - 1];
                oldNumel = 1;
                viewNumel = 1;
            }
        }
        return viewDim == -1 ? strides : null;
    }

    private static Tensor reshaped(Tensor x, int[] shape, int[] strides) {
        Tensor v = Tensor.ofStorage(x.storage(), shape, strides, x.offset());
        int[] from = x.shape();
        return v.recordedBy(new Node("view", x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {g.reshape(from)};
            }
        });
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int[] perm = identity(x.dim());
        int a = Shape.normalizeDim("transpose", dim0, x.dim()), b = Shape.normalizeDim("transpose", dim1, x.dim());
        if (x.dim() == 0) return x.detach().recordedBy(identityNode(x));
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    public static Tensor permute(Tensor x, int[] dims) {
        if (dims.length != x.dim()) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(dims) + " does not list the " + x.dim()
                    + " dims of shape " + x.shapeString());
        }
        int[] shape = x.shape(), strides = x.strides();
        int[] newShape = new int[dims.length], newStrides = new int[dims.length], inverse = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.normalizeDim("permute", dims[i], x.dim());
            if (seen[d]) throw new IllegalArgumentException("permute: dim " + d + " repeated in " + Arrays.toString(dims));
            seen[d] = true;
            newShape[i] = shape[d];
            newStrides[i] = strides[d];
            inverse[d] = i;
        }
        return Tensor.ofStorage(x.storage(), newShape, newStrides, x.offset()).recordedBy(new Node("permute", x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {permute(g, inverse)};
            }
        });
    }

    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.normalizeDim("narrow", dim, x.dim());
        int size = x.size(d);
        if (start < 0) start += size;
        if (start < 0 || length < 0 || start + length > size) {
            throw new IndexOutOfBoundsException("narrow: [" + start + ", " + (start + length) + ") is outside dim " + dim
                    + " of size " + size + " (shape " + x.shapeString() + ")");
        }
        int[] shape = x.shape(), strides = x.strides();
        shape[d] = length;
        int begin = start;
        Tensor v = Tensor.ofStorage(x.storage(), shape, strides, x.offset() + start * strides[d]);
        return v.recordedBy(new Node("narrow", x) {
            @Override
            public Tensor[] backward(Tensor g) {  // g copied into its slice of zeros: [0..begin) g [begin+length..size)
                Tensor grad = Tensor.zeros(g.dtype(), x.shape());
                Dispatch.copyInto(grad.narrow(d, begin, length), g);
                return new Tensor[] {grad};
            }
        });
    }

    public static Tensor expand(Tensor x, int[] newShape) {
        int rank = newShape.length, shift = rank - x.dim();
        if (shift < 0) {
            throw new IllegalArgumentException("expand: cannot expand shape " + x.shapeString() + " to fewer dims "
                    + Shape.format(newShape));
        }
        int[] shape = new int[rank], strides = new int[rank];
        int[] oldShape = x.shape(), oldStrides = x.strides();
        for (int i = 0; i < rank; i++) {
            int old = i < shift ? 1 : oldShape[i - shift];
            int want = newShape[i] == -1 && i >= shift ? old : newShape[i];
            if (old != want && old != 1) {
                throw new IllegalArgumentException("expand: shape " + x.shapeString() + " cannot expand to "
                        + Shape.format(newShape) + " (dim " + i + ": " + old + " vs " + want + ")");
            }
            shape[i] = want;
            strides[i] = i < shift || (old == 1 && want != 1) ? 0 : oldStrides[i - shift];
        }
        return Tensor.ofStorage(x.storage(), shape, strides, x.offset()).recordedBy(new Node("expand", x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {Arithmetic.sumTo(g, x)};
            }
        });
    }

    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.normalizeDim("squeeze", dim, x.dim());
        if (x.dim() == 0 || x.size(d) != 1) return x.detach().recordedBy(identityNode(x));
        return dropDim(x, d);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.normalizeDim("unsqueeze", dim, x.dim() + 1);
        int[] shape = x.shape(), strides = x.strides();
        int[] newShape = new int[shape.length + 1], newStrides = new int[shape.length + 1];
        for (int i = 0, j = 0; i < newShape.length; i++) {
            if (i == d) {
                newShape[i] = 1;
                newStrides[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                newShape[i] = shape[j];
                newStrides[i] = strides[j++];
            }
        }
        return withShape(x, "unsqueeze", newShape, newStrides);
    }

    /** A contiguous copy (differentiable). */
    public static Tensor copy(Tensor x) {
        return Dispatch.copy(x).recordedBy(identityNode(x));
    }

    private static Tensor dropDim(Tensor x, int d) {
        int[] shape = x.shape(), strides = x.strides();
        int[] newShape = new int[shape.length - 1], newStrides = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            newShape[j] = shape[i];
            newStrides[j++] = strides[i];
        }
        return withShape(x, "squeeze", newShape, newStrides);
    }

    private static Tensor withShape(Tensor x, String name, int[] shape, int[] strides) {
        int[] from = x.shape();
        return Tensor.ofStorage(x.storage(), shape, strides, x.offset()).recordedBy(new Node(name, x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {g.reshape(from)};
            }
        });
    }

    private static Node identityNode(Tensor x) {
        return new Node("copy", x) {
            @Override
            public Tensor[] backward(Tensor g) {
                return new Tensor[] {g};
            }
        };
    }

    /** The shape with a -1 resolved; fails if the element count differs. */
    private static int[] inferShape(String op, Tensor x, int[] newShape) {
        int[] shape = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dim can be -1 in " + Shape.format(newShape));
                infer = i;
            } else {
                known *= shape[i];
            }
        }
        int n = x.numel();
        if (infer >= 0 && known != 0 && n % known == 0) shape[infer] = (int) (n / known);
        if (Shape.numel(shape) != n || (infer >= 0 && known == 0)) {
            throw new IllegalArgumentException(op + ": shape " + x.shapeString() + " (" + n + " elements) cannot become "
                    + Shape.format(newShape));
        }
        return shape;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }
}
