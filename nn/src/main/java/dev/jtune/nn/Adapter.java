package dev.jtune.nn;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import java.util.function.UnaryOperator;

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

    /**
     * {@code base(x) + adapter.delta(x)}, or {@code base(x)} alone when there is no adapter or it is disabled. With an
     * adapter both terms are made in a {@link MemoryScope} of their own, so the base output, the delta and the
     * adapter's intermediates are freed as soon as they are summed: only the sum and what backward reads live on.
     */
    static Tensor apply(Adapter adapter, Tensor x, UnaryOperator<Tensor> base) {
        if (adapter == null) return base.apply(x);
        return MemoryScope.scoped(() -> {
            Tensor y = base.apply(x), d = adapter.delta(x);
            return d == null ? y : y.add(d);
        });
    }
}
