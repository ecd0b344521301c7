package dev.jtune.core.autograd;

import dev.jtune.core.Storage;
import dev.jtune.core.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Counts, during one backward pass, how many pending gradient tensors read each storage (a backward may return views
 * of its incoming gradient, so several gradients can share one buffer). When the count of a storage drops to zero the
 * engine no longer needs it and it goes back to the pool at once; a storage a leaf took as its {@code .grad} buffer,
 * and the caller's output gradient, are never released here.
 */
final class GradientBuffers {

    private static final int NEVER = Integer.MAX_VALUE / 2;

    private final Map<Storage, Integer> holders = new IdentityHashMap<>();

    GradientBuffers(Tensor callersGradient) {
        holders.put(callersGradient.storage(), NEVER);
    }

    /** A new gradient tensor (or view) now reads {@code g}'s storage. */
    void produced(Tensor g) {
        holders.merge(g.storage(), 1, Integer::sum);
    }

    /** The engine is done with {@code g}: its storage is released once no other gradient reads it. */
    void consumed(Tensor g) {
        Storage s = g.storage();
        int left = holders.merge(s, -1, Integer::sum);
        if (left == 0) {
            holders.remove(s);
            s.release("after backward consumed it (an intermediate gradient)");
        }
    }

    /** True when {@code g} is the only gradient reading its storage, so a leaf may keep that storage as its buffer. */
    boolean soleHolder(Tensor g) {
        return holders.getOrDefault(g.storage(), 0) == 1;
    }

    /** A leaf kept {@code g}'s storage as its {@code .grad}: it is the leaf's now. */
    void handedOver(Tensor g) {
        holders.put(g.storage(), NEVER);
    }
}
