package dev.jtune.core.autograd;

import dev.jtune.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One recorded op in the autograd graph: its inputs, and the local backward that maps the gradient of its output to
 * the gradients of its inputs. Subclasses save only what backward reads.
 */
public abstract class Node {

    private final String name;
    private final Tensor[] inputs;
    private final List<SavedTensor> saved = new ArrayList<>(2);
    private boolean recorded;

    /** {@code name} is the op's name in error messages; {@code inputs} are the op's tensor inputs in order. */
    protected Node(String name, Tensor... inputs) {
        this.name = name;
        this.inputs = inputs;
    }

    /** The op's name, e.g. {@code "matmul"}. */
    public String name() {
        return name;
    }

    /** The op's tensor inputs (the graph's edges). */
    public Tensor[] inputs() {
        return inputs;
    }

    /**
     * The gradients of the inputs, in input order, given the gradient of the output (same shape as the output).
     * Entries may be null for inputs that need no gradient; each non-null entry has its input's shape.
     */
    public abstract Tensor[] backward(Tensor gradOutput);

    /**
     * For a single-input op: adds the input's gradient straight into {@code target} (its leaf's dense gradient
     * buffer) and returns true, or returns false to use {@link #backward}. Ops whose gradient is sparse (an embedding
     * lookup touches a few rows of a large table) override it to avoid building a dense zero-filled gradient.
     */
    public boolean backwardInto(Tensor gradOutput, Tensor target) {
        return false;
    }

    /** Keeps {@code t} for backward, guarded against in-place modification. */
    protected SavedTensor save(Tensor t) {
        SavedTensor s = new SavedTensor(t, name);
        saved.add(s);
        return s;
    }

    /**
     * The op's result recorded this node in the graph (ops build a node even when grad mode is off and then drop it):
     * from now on its saved tensors are held for its backward.
     */
    public void recorded() {
        if (recorded) return;
        recorded = true;
        for (SavedTensor s : saved) s.hold();
    }

    /** Drops every saved tensor (the engine calls it once this node's backward has run). */
    void releaseSaved() {
        if (recorded) for (SavedTensor s : saved) s.drop();
        saved.clear();
    }

    /** True if input {@code i} needs a gradient. */
    protected boolean needsGrad(int i) {
        return inputs[i] != null && inputs[i].requiresGrad();
    }
}
