package dev.jtune.core.autograd;

import dev.jtune.core.Tensor;

/**
 * The lifetime of gradient buffers during one backward pass. A backward may return views of its incoming gradient,
 * or reuse a buffer it saved (cross-entropy computes its gradient in its own log-probabilities), so a storage is
 * released only when no pending gradient and no saved tensor holds it any more ({@link dev.jtune.core.Storage#hold}).
 * The caller's output gradient and a buffer a leaf keeps as its {@code .grad} hold one more, which the engine never
 * drops.
 */
final class GradientBuffers {

    GradientBuffers(Tensor callersGradient) {
        callersGradient.storage().hold();  // as the pending gradient of the output, dropped when it is consumed
        callersGradient.storage().hold();  // the caller's, never dropped
    }

    /** A new gradient tensor (or view) now reads {@code g}'s storage. */
    void produced(Tensor g) {
        g.storage().hold();
    }

    /** The engine is done with {@code g}: its storage is released once nothing else holds it. */
    void consumed(Tensor g) {
        g.storage().unhold("after backward consumed it (an intermediate gradient)", true);
    }

    /** True when {@code g} is all that holds its storage, so a leaf may keep that storage as its buffer. */
    boolean soleHolder(Tensor g) {
        return g.storage().holds() == 1;
    }

    /** A leaf kept {@code g}'s storage as its {@code .grad}: the leaf's hold is never dropped by the engine. */
    void handedOver(Tensor g) {
        g.storage().hold();
    }
}
