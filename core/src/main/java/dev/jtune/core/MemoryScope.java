package dev.jtune.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * An explicit lifetime for the tensors made inside a block, like an arena: every storage an op allocates on this
 * thread while the scope is open belongs to it, and {@link #close()} releases them all back to the backend's buffer
 * pool, except those {@link #keep kept} (they move to the enclosing scope, or outlive every scope when there is none).
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = model.forward(ids, mask, labels).loss();   // activations, logits: owned by the scope
 *     loss.backward();                                          // parameters' .grad buffers are not
 *     lossValue = loss.item();
 * }                                                             // everything else goes back to the pool here
 * }</pre>
 *
 * <p>Inside a scope, autograd also releases an activation as soon as the last backward that saved it has run, so the
 * backward pass reuses the forward's buffers; to read such a tensor after {@code backward()}, {@link #keep} it first.
 * Storages made outside any scope, leaves that require grad, their gradients and optimizer state are left to their
 * owner (or the garbage collector). Reading a released tensor fails with a clear error; it never reads another
 * tensor's data.
 */
public final class MemoryScope implements AutoCloseable {

    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();

    private final MemoryScope parent;
    private final Thread thread = Thread.currentThread();
    private final List<Storage> owned = new ArrayList<>();
    private boolean closed;

    private MemoryScope(MemoryScope parent) {
        this.parent = parent;
    }

    /** Opens a scope nested in the current one (if any) on this thread. */
    public static MemoryScope open() {
        MemoryScope scope = new MemoryScope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /**
     * Runs {@code block} in a scope of its own and keeps its result: what the block made is freed as soon as it
     * returns, except the result and what a pending backward reads (the freeing Python's reference counting does for
     * PyTorch). Wrap a piece of a forward pass whose intermediates nobody else keeps, such as a transformer block.
     */
    public static Tensor scoped(Supplier<Tensor> block) {
        try (MemoryScope scope = open()) {
            return scope.keep(block.get());
        }
    }

    /** Moves {@code t}'s storage to the enclosing scope (or out of every scope), so it outlives this one. */
    public Tensor keep(Tensor t) {
        Storage s = t.storage();
        if (s.scope == this) {
            s.scope = null;
            if (parent != null) parent.adoptHere(s);
        }
        return t;
    }

    /** The innermost scope open on this thread, or null when there is none. */
    public static MemoryScope current() {
        return CURRENT.get();
    }

    /**
     * Makes this scope, still open, the owner of {@code t}'s storage, which was made in a scope nested in it: the
     * storage then lives until this scope closes, as a KV cache's buffers live for a whole generation while each
     * step and block frees its own intermediates.
     */
    public Tensor own(Tensor t) {
        if (closed) throw new IllegalStateException("MemoryScope.own: this scope is closed");
        Storage s = t.storage();
        if (s.scope != this) adoptHere(s);  // the inner scope that made it skips it when it closes
        return t;
    }

    /**
     * Releases {@code t}'s storage now rather than when this scope closes, as a KV cache does with a buffer it has
     * just replaced: the storage must be this scope's, and no pending backward may read it. Reading {@code t} or a
     * view of it afterwards fails with a clear error.
     */
    public void release(Tensor t) {
        Storage s = t.storage();
        if (s.scope != this) {
            throw new IllegalStateException("MemoryScope.release: the tensor's storage belongs to another scope or none");
        }
        if (s.holds() > 0) {
            throw new IllegalStateException("MemoryScope.release: a pending backward still reads this tensor");
        }
        s.scope = null;  // close() skips it
        s.release("early by its MemoryScope (MemoryScope.release)");
    }

    /** Takes {@code t}'s storage out of whatever scope owns it: its owner (a parameter, an optimizer) manages it. */
    public static Tensor persist(Tensor t) {
        t.storage().scope = null;
        return t;
    }

    /**
     * Releases every storage this scope still owns, except those a pending backward still reads (saved activations
     * of a graph that reaches outside the scope: they move to the enclosing scope), and makes the enclosing scope
     * current again. So a scope around a piece of a forward pass frees its temporaries and keeps what backward needs.
     */
    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread || CURRENT.get() != this) {
            throw new IllegalStateException("MemoryScope closed out of order: close inner scopes first, on the thread "
                    + "that opened them");
        }
        closed = true;
        for (Storage s : owned) {
            if (s.scope != this) continue;
            if (s.holds() > 0) {  // saved for a backward that has not run yet: it lives on in the enclosing scope
                s.scope = null;
                if (parent != null) parent.adoptHere(s);
            } else {
                s.release("when its MemoryScope closed");
            }
        }
        owned.clear();
        CURRENT.set(parent);
    }

    /** Called for each new storage: the current scope (if any) takes it. */
    static void adopt(Storage s) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) scope.adoptHere(s);
    }

    private void adoptHere(Storage s) {
        s.scope = this;
        owned.add(s);
    }
}
