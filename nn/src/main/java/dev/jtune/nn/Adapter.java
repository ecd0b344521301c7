package dev.jtune.nn;

import dev.jtune.core.Tensor;

/**
 * A branch added to a linear layer's output, such as a LoRA adapter's {@code (dropout(x) A^T B^T) * scaling}: the
 * layer computes {@code base(x) + delta(x)}. Set on {@link Layers.Linear} and {@link Layers.Conv1D}.
 */
public interface Adapter {

    /**
     * @param x [..., in] the layer's input
     * @return [..., out] what to add to the layer's output, or null while the adapter is disabled (the layer's output
     *         is then exactly the base layer's)
     */
    Tensor delta(Tensor x);

    /** {@code y + adapter.delta(x)}, or {@code y} itself when there is no adapter or it is disabled. */
    static Tensor apply(Adapter adapter, Tensor x, Tensor y) {
        if (adapter == null) return y;
        Tensor d = adapter.delta(x);
        return d == null ? y : y.add(d);
    }
}
