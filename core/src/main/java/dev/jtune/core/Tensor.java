package dev.jtune.core;

import dev.jtune.core.autograd.Engine;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.autograd.Node;
import dev.jtune.core.ops.Arithmetic;
import dev.jtune.core.ops.Conversions;
import dev.jtune.core.ops.Indexing;
import dev.jtune.core.ops.InPlace;
import dev.jtune.core.ops.Joining;
import dev.jtune.core.ops.LinearAlgebra;
import dev.jtune.core.ops.Pointwise;
import dev.jtune.core.ops.Reductions;
import dev.jtune.core.ops.Softmax;
import dev.jtune.core.ops.Views;
import dev.jtune.core.backend.UnaryOp;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array with autograd: a {@link Storage} read through a shape, strides and an offset, so views
 * (reshape, transpose, narrow, expand, ...) share data without copying.
 *
 * <p>Ops follow PyTorch's names and NumPy broadcasting; they compute in F32 or F64 on the current backend and, when
 * any input {@link #requiresGrad()} and grad mode is on, record a {@link Node} so {@link #backward()} can compute
 * gradients. Integer tensors (I32, I64) hold ids and indices; BF16/F16 are storage types converted with {@link #to}.
 */
public final class Tensor {

    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;
    private boolean requiresGrad;
    private Tensor grad;
    private boolean ownsGrad;  // grad's storage was made for this leaf alone
    private Node gradFn;

    private Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------------------------------------- factories

    /** A view of {@code storage} (no copy); ops use it to build results and views. */
    public static Tensor ofStorage(Storage storage, int[] shape, int[] strides, int offset) {
        return new Tensor(storage, shape.clone(), strides.clone(), offset);
    }

    /** A new contiguous zero-filled tensor. */
    public static Tensor zeros(DType dtype, int... shape) {
        return new Tensor(Storage.allocate(dtype, Shape.numel(shape)), shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    /**
     * A new contiguous tensor with arbitrary contents (like {@code torch.empty}), for results that are written in full
     * before anything reads them.
     */
    public static Tensor empty(DType dtype, int... shape) {
        return new Tensor(Storage.allocateUninitialized(dtype, Shape.numel(shape)), shape.clone(),
                Shape.contiguousStrides(shape), 0);
    }

    /** A new F32 zero-filled tensor. */
    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(1, dtype, shape);
    }

    public static Tensor ones(int... shape) {
        return full(1, DType.F32, shape);
    }

    /** A new tensor with every element equal to {@code value} (converted to the dtype). */
    public static Tensor full(double value, DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        InPlace.fill(t, value);
        return t;
    }

    /** A 0-dimensional tensor. */
    public static Tensor scalar(double value, DType dtype) {
        return full(value, dtype);
    }

    /** {@code [start, start + step, ...)} below {@code end}, like {@code torch.arange}. */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        if (step == 0 || (end - start) / step < 0) {
            throw new IllegalArgumentException("arange: no progress from " + start + " to " + end + " by " + step);
        }
        int n = (int) Math.ceil((end - start) / step);
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) Conversions.setFlat(t, i, start + i * step);
        return t;
    }

    /** {@code 0, 1, ..., n-1} as I64. */
    public static Tensor arange(int n) {
        return arange(0, n, 1, DType.I64);
    }

    /** Uniform {@code [0, 1)} samples from {@code generator}. */
    public static Tensor rand(Generator generator, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) Conversions.setFlat(t, i, generator.nextDouble());
        return t;
    }

    /** Standard normal samples from {@code generator}. */
    public static Tensor randn(Generator generator, DType dtype, int... shape) {
        Tensor t = zeros(dtype, shape);
        for (int i = 0; i < t.numel(); i++) Conversions.setFlat(t, i, generator.nextGaussian());
        return t;
    }

    /** An F32 tensor holding {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return wrap(new Storage(DType.F32, data), data.length, shape);
    }

    /** An F64 tensor holding {@code data} (not copied) with the given shape. */
    public static Tensor of(double[] data, int... shape) {
        return wrap(new Storage(DType.F64, data), data.length, shape);
    }

    /** An I64 tensor holding {@code data} (not copied) with the given shape. */
    public static Tensor ofLongs(long[] data, int... shape) {
        return wrap(new Storage(DType.I64, data), data.length, shape);
    }

    /** An I32 tensor holding {@code data} (not copied) with the given shape. */
    public static Tensor ofInts(int[] data, int... shape) {
        return wrap(new Storage(DType.I32, data), data.length, shape);
    }

    /** A BF16 or F16 tensor holding raw 16-bit patterns (not copied). */
    public static Tensor ofHalves(DType dtype, short[] bits, int... shape) {
        if (dtype != DType.BF16 && dtype != DType.F16) throw new IllegalArgumentException("ofHalves: " + dtype);
        return wrap(new Storage(dtype, bits), bits.length, shape);
    }

    private static Tensor wrap(Storage storage, int length, int[] shape) {
        if (Shape.numel(shape) != length) {
            throw new IllegalArgumentException("an array of " + length + " elements cannot have shape "
                    + Shape.format(shape));
        }
        return new Tensor(storage, shape.clone(), Shape.contiguousStrides(shape), 0);
    }

    // ---------------------------------------------------------------------------------------------- layout

    public int[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) {
        return shape[Shape.normalizeDim("size", dim, shape.length)];
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    public DType dtype() {
        return storage.dtype();
    }

    public Storage storage() {
        return storage;
    }

    /** True when the elements are laid out row-major without gaps (the offset may be non-zero). */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    public String shapeString() {
        return Shape.format(shape);
    }

    // ---------------------------------------------------------------------------------------------- values

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item: tensor of shape " + shapeString() + " has " + numel() + " elements");
        return Conversions.get(this, new int[shape.length]);
    }

    /** The element at {@code index} as a double. */
    public double get(int... index) {
        return Conversions.get(this, index);
    }

    /** A new row-major float[] copy of the elements (any dtype). */
    public float[] toFloatArray() {
        return Conversions.toFloatArray(this);
    }

    /** A new row-major double[] copy of the elements (any dtype). */
    public double[] toDoubleArray() {
        return Conversions.toDoubleArray(this);
    }

    /** A new row-major long[] copy of the elements (integers; floats are truncated). */
    public long[] toLongArray() {
        return Conversions.toLongArray(this);
    }

    /** This tensor converted to {@code dtype} (differentiable between F32 and F64; the same tensor if equal). */
    public Tensor to(DType dtype) {
        return Conversions.to(this, dtype);
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype() + ", shape=" + shapeString()
                + (numel() <= 16 ? ", " + Arrays.toString(toDoubleArray()) : "")
                + (gradFn != null ? ", grad_fn=" + gradFn.name() : requiresGrad ? ", requires_grad" : "") + ")";
    }

    // ---------------------------------------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf as needing a gradient (like {@code requires_grad_()}); returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor; use detach()");
        }
        if (value && !dtype().isCompute()) {
            throw new IllegalArgumentException("only F32/F64 tensors can require gradients, not " + dtype());
        }
        requiresGrad = value;
        if (value && gradFn == null) MemoryScope.persist(this);  // a parameter outlives any step's scope
        return this;
    }

    /** The accumulated gradient of a leaf, or null. */
    public Tensor grad() {
        return grad;
    }

    public void setGrad(Tensor g) {
        grad = g;
        ownsGrad = false;
    }

    /**
     * Drops the accumulated gradient (like {@code zero_grad(set_to_none=True)}). A buffer that autograd made for this
     * leaf goes back to the pool for the next backward, so a tensor read from {@link #grad()} before is no longer
     * readable; {@link #setGrad} buffers stay their owner's.
     */
    public void zeroGrad() {
        if (grad != null && ownsGrad) grad.storage().release("by zeroGrad() (the parameter's gradient buffer)");
        grad = null;
        ownsGrad = false;
    }

    /** The node that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    /**
     * Records {@code node} as this result's producer when grad mode is on and any of its inputs requires grad;
     * returns this. Ops call it on the tensors they return.
     */
    public Tensor recordedBy(Node node) {
        if (GradMode.isEnabled()) {
            for (Tensor in : node.inputs()) {
                if (in != null && in.requiresGrad) {
                    gradFn = node;
                    requiresGrad = true;
                    node.recorded();
                    break;
                }
            }
        }
        return this;
    }

    /** A view sharing storage, cut from the graph. */
    public Tensor detach() {
        return new Tensor(storage, shape, strides, offset);
    }

    /** Backpropagates from a one-element tensor (a loss). */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalStateException("backward() needs a one-element tensor, got shape " + shapeString()
                    + "; pass the output gradient explicitly");
        }
        Engine.backward(this, full(1, dtype(), shape));
    }

    /** Backpropagates {@code gradOutput}, which has this tensor's shape. */
    public void backward(Tensor gradOutput) {
        Engine.backward(this, gradOutput);
    }

    /**
     * Adds {@code g} into {@link #grad()} (the engine calls it on leaves). The first gradient becomes the buffer itself
     * when {@code owned} (nothing else references its storage), else a copy; later ones are added in place. Returns
     * true when this leaf took {@code g}'s storage as its buffer.
     */
    public boolean accumulateGrad(Tensor g, boolean owned) {
        if (grad != null) {
            InPlace.addInto(grad, g);
            return false;
        }
        boolean take = owned && g.isContiguous() && g.offset == 0 && g.storage.size() == g.numel();
        grad = MemoryScope.persist(take ? g.detach() : Views.copy(g.detach()));
        ownsGrad = true;
        return take;
    }

    // ---------------------------------------------------------------------------------------------- arithmetic

    public Tensor add(Tensor other) { return Arithmetic.add(this, other); }
    public Tensor add(double value) { return Arithmetic.add(this, scalarLike(value)); }
    public Tensor sub(Tensor other) { return Arithmetic.sub(this, other); }
    public Tensor sub(double value) { return Arithmetic.sub(this, scalarLike(value)); }
    public Tensor mul(Tensor other) { return Arithmetic.mul(this, other); }
    public Tensor mul(double value) { return Arithmetic.mul(this, scalarLike(value)); }
    public Tensor div(Tensor other) { return Arithmetic.div(this, other); }
    public Tensor div(double value) { return Arithmetic.div(this, scalarLike(value)); }
    public Tensor pow(Tensor exponent) { return Arithmetic.pow(this, exponent); }
    public Tensor pow(double exponent) { return Arithmetic.pow(this, scalarLike(exponent)); }
    public Tensor maximum(Tensor other) { return Arithmetic.maximum(this, other); }
    public Tensor minimum(Tensor other) { return Arithmetic.minimum(this, other); }
    /** {@code 1 where this == other else 0}, in this dtype (not differentiable). */
    public Tensor eq(Tensor other) { return Arithmetic.eq(this, other); }
    /** {@code 1 where this > other else 0}, in this dtype (not differentiable). */
    public Tensor gt(Tensor other) { return Arithmetic.gt(this, other); }

    // ---------------------------------------------------------------------------------------------- pointwise

    public Tensor neg() { return Pointwise.apply(this, UnaryOp.NEG); }
    public Tensor exp() { return Pointwise.apply(this, UnaryOp.EXP); }
    public Tensor log() { return Pointwise.apply(this, UnaryOp.LOG); }
    public Tensor sqrt() { return Pointwise.apply(this, UnaryOp.SQRT); }
    public Tensor rsqrt() { return Pointwise.apply(this, UnaryOp.RSQRT); }
    public Tensor abs() { return Pointwise.apply(this, UnaryOp.ABS); }
    public Tensor tanh() { return Pointwise.apply(this, UnaryOp.TANH); }
    public Tensor sigmoid() { return Pointwise.apply(this, UnaryOp.SIGMOID); }
    public Tensor relu() { return Pointwise.apply(this, UnaryOp.RELU); }
    /** Exact GELU ({@code approximate="none"}). */
    public Tensor gelu() { return Pointwise.apply(this, UnaryOp.GELU); }
    /** GELU with {@code approximate} = "none" or "tanh" (GPT-2's gelu_new). */
    public Tensor gelu(String approximate) { return Pointwise.gelu(this, approximate); }
    public Tensor silu() { return Pointwise.apply(this, UnaryOp.SILU); }

    // ---------------------------------------------------------------------------------------------- reductions

    /** The sum of all elements, as a 0-d tensor. */
    public Tensor sum() { return Reductions.sum(this, allDims(), false); }
    public Tensor sum(int dim, boolean keepdim) { return Reductions.sum(this, new int[] {dim}, keepdim); }
    public Tensor sum(int[] dims, boolean keepdim) { return Reductions.sum(this, dims, keepdim); }
    public Tensor mean() { return Reductions.mean(this, allDims(), false); }
    public Tensor mean(int dim, boolean keepdim) { return Reductions.mean(this, new int[] {dim}, keepdim); }
    public Tensor mean(int[] dims, boolean keepdim) { return Reductions.mean(this, dims, keepdim); }
    /** The maximum along {@code dim} (the gradient flows to the first maximal element). */
    public Tensor max(int dim, boolean keepdim) { return Reductions.max(this, dim, keepdim); }
    /** The maximum of all elements. */
    public Tensor max() { return Reductions.max(reshape(-1), 0, false); }
    /** The index of the first maximum along {@code dim}, as I64. */
    public Tensor argmax(int dim, boolean keepdim) { return Reductions.argmax(this, dim, keepdim); }
    /** The variance along {@code dim} with Bessel's {@code correction} (1 = unbiased, PyTorch's default). */
    public Tensor var(int dim, int correction, boolean keepdim) { return Reductions.var(this, dim, correction, keepdim); }

    // ---------------------------------------------------------------------------------------------- linear algebra, softmax

    /** Matrix product with broadcast batch dims ({@code [..., m, k] @ [..., k, n]}); 1-d operands as in PyTorch. */
    public Tensor matmul(Tensor other) { return LinearAlgebra.matmul(this, other); }
    public Tensor softmax(int dim) { return Softmax.softmax(this, dim, false); }
    public Tensor logSoftmax(int dim) { return Softmax.softmax(this, dim, true); }

    // ---------------------------------------------------------------------------------------------- views

    /** A view with a new shape (one dim may be -1); fails if the strides do not allow a view. */
    public Tensor view(int... newShape) { return Views.view(this, newShape); }
    /** A view when the strides allow, else a contiguous copy (one dim may be -1). */
    public Tensor reshape(int... newShape) { return Views.reshape(this, newShape); }
    public Tensor transpose(int dim0, int dim1) { return Views.transpose(this, dim0, dim1); }
    /** The transpose of a 2-d tensor. */
    public Tensor t() {
        if (dim() != 2) throw new IllegalArgumentException("t: expects a 2-d tensor, got shape " + shapeString());
        return transpose(0, 1);
    }
    public Tensor permute(int... dims) { return Views.permute(this, dims); }
    /** Elements {@code [start, start + length)} along {@code dim}, as a view. */
    public Tensor narrow(int dim, int start, int length) { return Views.narrow(this, dim, start, length); }
    /** Broadcasts size-1 dims to {@code newShape} (-1 keeps a size) without copying. */
    public Tensor expand(int... newShape) { return Views.expand(this, newShape); }
    public Tensor squeeze(int dim) { return Views.squeeze(this, dim); }
    public Tensor unsqueeze(int dim) { return Views.unsqueeze(this, dim); }
    /** This tensor if contiguous, else a contiguous copy. */
    public Tensor contiguous() { return isContiguous() ? this : Views.copy(this); }
    /** A contiguous copy (differentiable). */
    public Tensor clone() { return Views.copy(this); }

    // ---------------------------------------------------------------------------------------------- indexing, joining

    public Tensor indexSelect(int dim, Tensor index) { return Indexing.indexSelect(this, dim, index); }
    /** {@code value} where {@code mask} is non-zero (mask broadcasts to this shape), else this. */
    public Tensor maskedFill(Tensor mask, double value) { return Indexing.maskedFill(this, mask, value); }
    /** Elements where {@code condition} is non-zero come from {@code a}, others from {@code b} (broadcast). */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) { return Indexing.where(condition, a, b); }
    /** The upper triangle of the last two dims (elements with {@code col - row >= diagonal}); others 0. */
    public Tensor triu(int diagonal) { return Indexing.triangle(this, diagonal, true); }
    /** The lower triangle of the last two dims (elements with {@code col - row <= diagonal}); others 0. */
    public Tensor tril(int diagonal) { return Indexing.triangle(this, diagonal, false); }
    public static Tensor cat(List<Tensor> tensors, int dim) { return Joining.cat(tensors, dim); }
    public static Tensor stack(List<Tensor> tensors, int dim) { return Joining.stack(tensors, dim); }
    /** Views of {@code splitSize} along {@code dim} (the last may be smaller). */
    public List<Tensor> split(int splitSize, int dim) { return Joining.split(this, splitSize, dim); }
    /** {@code chunks} views along {@code dim}, as {@code torch.chunk}. */
    public List<Tensor> chunk(int chunks, int dim) { return Joining.chunk(this, chunks, dim); }

    // ---------------------------------------------------------------------------------------------- in place

    /** {@code this += other} in place (broadcast), bumping the version. */
    public Tensor add_(Tensor other) { return InPlace.add_(this, other); }
    /** {@code this *= value} in place. */
    public Tensor mul_(double value) { return InPlace.mul_(this, value); }
    /** Copies {@code src} (broadcast) into this in place. */
    public Tensor copy_(Tensor src) { return InPlace.copy_(this, src); }
    public Tensor fill_(double value) { return InPlace.fill_(this, value); }
    public Tensor zero_() { return InPlace.fill_(this, 0); }

    // ---------------------------------------------------------------------------------------------- helpers

    private Tensor scalarLike(double value) {
        return scalar(value, dtype().isCompute() ? dtype() : DType.F32);
    }

    private int[] allDims() {
        int[] dims = new int[shape.length];
        for (int i = 0; i < dims.length; i++) dims[i] = i;
        return dims;
    }
}
