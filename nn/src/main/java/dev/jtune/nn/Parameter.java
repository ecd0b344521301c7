package dev.jtune.nn;

import dev.jtune.core.Tensor;

/**
 * A trainable tensor owned by a module. It is a mutable holder so that tied weights (GPT-2's {@code wte} and
 * {@code lm_head}) share one parameter, and so that {@code resizeTokenEmbeddings} or {@code loadStateDict} can swap
 * the tensor for every user at once.
 */
public final class Parameter {

    private Tensor value;

    /** Wraps {@code value} as a leaf that requires grad. */
    public Parameter(Tensor value) {
        set(value);
    }

    /** The current tensor. */
    public Tensor value() {
        return value;
    }

    /** Replaces the tensor (detached, marked as requiring grad). */
    public void set(Tensor newValue) {
        value = newValue.detach().requiresGrad(true);
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
        return "Parameter(" + value.dtype() + ", shape=" + value.shapeString() + ")";
    }
}
