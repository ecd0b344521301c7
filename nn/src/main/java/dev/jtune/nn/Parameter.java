package dev.jtune.nn;

import dev.jtune.core.DType;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;

/**
 * A tensor owned by a module. It is a mutable holder so that tied weights (GPT-2's {@code wte} and {@code lm_head})
 * share one parameter, and so that {@code resizeTokenEmbeddings} or {@code loadStateDict} can swap the tensor for every
 * user at once.
 *
 * <p>A parameter requires grad unless {@link #requiresGrad(boolean) frozen}, like PyTorch's {@code requires_grad_}: a
 * frozen parameter gets no gradient buffer (autograd never reaches it), the trainer gives it no optimizer state, and it
 * may hold a storage dtype such as BF16 (a LoRA base kept as loaded); layers convert it to F32 where they compute.
 */
public final class Parameter {

    private Tensor value;
    private boolean requiresGrad = true;

    /** Wraps {@code value} as a leaf that requires grad; a BF16/F16 value (a base held as stored) is frozen. */
    public Parameter(Tensor value) {
        requiresGrad = value.dtype().isCompute();
        set(value);
    }

    /** The current tensor. */
    public Tensor value() {
        return value;
    }

    /**
     * The value in a compute dtype, as layers use it: the tensor itself when F32/F64, else (a frozen BF16/F16 base
     * weight) an F32 copy made for this use, which the step's memory scope releases.
     */
    public Tensor computeValue() {
        return value.dtype().isCompute() ? value : value.to(DType.F32);
    }

    /** Replaces the tensor (detached; a leaf requiring grad unless this parameter is frozen). */
    public void set(Tensor newValue) {
        Tensor v = newValue.detach();
        value = requiresGrad ? v.requiresGrad(true) : MemoryScope.persist(v);
    }

    /**
     * Installs {@code newValue} as it is (not detached, its gradient kept) and returns the tensor it replaces, with its
     * gradient: a way to swap two versions of a weight in and out for every user, such as an adapter's trained copy of
     * a module and the frozen original while adapters are disabled.
     */
    public Tensor swapValue(Tensor newValue) {
        if (!java.util.Arrays.equals(newValue.shape(), value.shape())) {
            throw new IllegalArgumentException("swapValue: shape " + newValue.shapeString() + " vs " + value.shapeString());
        }
        Tensor old = value;
        value = newValue;
        return old;
    }

    /** Whether the trainer updates this parameter (true unless frozen). */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Freezes ({@code false}) or unfreezes this parameter, like {@code requires_grad_(mode)}; freezing drops its
     * gradient. Only an F32/F64 parameter can be unfrozen. Returns this.
     */
    public Parameter requiresGrad(boolean mode) {
        if (mode == requiresGrad) return this;
        if (mode && !value.dtype().isCompute()) {
            throw new IllegalArgumentException("requiresGrad(true): a " + value.dtype() + " parameter "
                    + value.shapeString() + " cannot be trained; convert it to F32 first");
        }
        value.zeroGrad();
        requiresGrad = mode;
        set(value);
        return this;
    }

    /** The accumulated gradient, or null. */
    public Tensor grad() {
        return value.grad();
    }

    public int[] shape() {
        return value.shape();
    }

    public int numel() {
        return value.numel();
    }

    @Override
    public String toString() {
        return "Parameter(" + value.dtype() + ", shape=" + value.shapeString() + (requiresGrad ? "" : ", frozen") + ")";
    }
}
