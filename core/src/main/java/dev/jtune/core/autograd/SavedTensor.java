package dev.jtune.core.autograd;

import dev.jtune.core.Tensor;

/**
 * A tensor kept for backward together with its storage version at save time; reading it after an in-place write
 * fails with a clear message instead of computing a wrong gradient.
 */
public final class SavedTensor {

    private Tensor tensor;  // null once backward has run
    private final int version;
    private final String op;

    public SavedTensor(Tensor tensor, String op) {
        this.tensor = tensor;
        this.version = tensor.storage().version();
        this.op = op;
    }

    /** The node was recorded in the graph: its storage is now needed by a pending backward. */
    void hold() {
        tensor.storage().hold();
    }

    /** The saved tensor, checked to be unmodified. */
    public Tensor get() {
        if (tensor == null) {
            throw new IllegalStateException("backward of " + op + " ran a second time through the same graph: its saved "
                    + "tensors were freed after the first backward; run the forward again");
        }
        int now = tensor.storage().version();
        if (now != version) {
            throw new IllegalStateException("backward of " + op + ": a tensor of shape " + tensor.shapeString()
                    + " saved for backward was modified by an in-place operation (version " + version + " at save, "
                    + now + " now); clone it before modifying it in place");
        }
        return tensor;
    }

    /** Forgets the tensor so that its memory can go. */
    void drop() {
        if (tensor == null) return;
        tensor.storage().unhold("after the backward of " + op + ", the last one that needed it", false);
        tensor = null;
    }
}
