package dev.jtune.nn;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import java.util.List;

/**
 * The keys and values of past positions for each layer, so generation feeds one new token per step instead of the
 * whole sequence.
 *
 * <p>Each layer's keys and values live in a head-major buffer {@code [B, H_kv, capacity, hs]}, so a step writes only
 * its own positions (a block of {@code T_new * hs} per head), where a {@code cat} per step would copy the whole cache
 * every time, and the filled part of each head is one contiguous matrix, which attention reads in place (see
 * {@code Backend.attention}). The buffer is sized by {@link #reserve} (generation knows its final length) or doubles
 * when full. {@link #append} returns {@code [B, H_kv, T, hs]} views of the filled part. When the new keys are part of
 * an autograd graph (grad mode on), the append is a differentiable {@code cat} instead.
 *
 * <p>The buffers belong to the {@link MemoryScope} open when the cache was made (a generation's), so the blocks and
 * steps that append to it can free their own intermediates as they return, and a buffer that a larger one (or a
 * window's drop) replaces is released at once; made outside any scope, they are left to the garbage collector.
 *
 * <p>A layer with a sliding window of W keys ({@link #withWindow}) keeps at most about 2W positions: when its buffer
 * is full, the positions no later query can see (all but the last W - 1) are dropped, so a long generation through
 * Mistral holds a bounded cache. {@link #append} then returns the keys of the last {@link #kept} positions only.
 */
public final class KVCache {

    /** The positions' dim of the buffers and of the keys and values appended. */
    private static final int TIME = 2;

    private final Tensor[] keys;    // per layer: [B, H_kv, capacity, hs]
    private final Tensor[] values;
    private final int[] lengths;    // per layer: the filled positions of the buffer
    private final int[] dropped;    // per layer: positions dropped from the front (sliding window)
    private final int[] windows;    // per layer: 0, or the sliding window
    private int reserved;
    /** The scope the buffers live in (one that is replaced is released at once); null: none (the GC's). */
    private final MemoryScope owner = MemoryScope.current();
    /** Whether an append ever kept a graph: then a buffer may be a view a backward reads, never released here. */
    private boolean madeByGraph;

    public KVCache(int layers) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
        lengths = new int[layers];
        dropped = new int[layers];
        windows = new int[layers];
    }

    /** Makes buffers allocated from now on hold at least {@code positions} positions; returns this cache. */
    public KVCache reserve(int positions) {
        reserved = positions;
        return this;
    }

    /** Lets {@code layer} drop keys beyond its sliding window of {@code window} keys (0: keep all); returns this. */
    public KVCache withWindow(int layer, int window) {
        if (window < 0) throw new IllegalArgumentException("KVCache: window must be >= 0, got " + window);
        windows[layer] = window;
        return this;
    }

    /** The number of positions seen (0 when empty), dropped ones included: the position of the next token. */
    public int length() {
        return dropped[0] + lengths[0];
    }

    /** The number of positions whose keys {@code layer} still holds: the last ones of {@link #length()}. */
    public int kept(int layer) {
        return lengths[layer];
    }

    /**
     * Appends this step's {@code k, v [B, H_kv, T_new, hs]} for {@code layer} and returns the held keys and values,
     * {@code [B, H_kv, kept, hs]} each: all {@code T_past + T_new} positions unless the layer's window let it drop some.
     */
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        int past = lengths[layer], add = k.size(2);
        boolean graph = GradMode.isEnabled() && k.requiresGrad();  // a cat below, nothing dropped
        int drop = graph ? 0 : dropping(layer, past, add);
        keys[layer] = write(keys[layer], past, drop, k, windows[layer]);
        values[layer] = write(values[layer], past, drop, v, windows[layer]);
        dropped[layer] += drop;
        lengths[layer] = past - drop + add;
        return new Tensor[] {filled(keys[layer], lengths[layer]), filled(values[layer], lengths[layer])};
    }

    /** How many old positions the append drops: with a window, all but the last W - 1 once the buffer is full. */
    private int dropping(int layer, int past, int add) {
        boolean full = keys[layer] != null && keys[layer].size(TIME) < past + add;
        return windows[layer] > 0 && full ? Math.max(0, past - (windows[layer] - 1)) : 0;
    }

    /**
     * {@code x [B, H, T_new, hs]} written after the {@code past} filled positions of {@code buffer} (null when empty),
     * the first {@code drop} of them discarded.
     */
    private Tensor write(Tensor buffer, int past, int drop, Tensor x, int window) {
        if (GradMode.isEnabled() && x.requiresGrad()) {  // keep the graph: the cache becomes a new tensor
            madeByGraph = true;
            return owned(past == 0 ? x : Tensor.cat(List.of(buffer.narrow(TIME, 0, past), x), TIME));
        }
        int keep = past - drop, added = x.size(TIME), needed = keep + added;
        if (buffer == null || buffer.size(TIME) < past + added) {
            int grow = Math.max(reserved, buffer == null ? 0 : 2 * buffer.size(TIME));
            int capacity = Math.max(needed, window > 0 ? Math.min(grow, 2 * window) : grow);
            Tensor grown = owned(Tensor.zeros(x.dtype(), x.size(0), x.size(1), capacity, x.size(3)));
            if (keep > 0) grown.narrow(TIME, 0, keep).copy_(buffer.narrow(TIME, drop, keep));
            if (buffer != null && owner != null && !madeByGraph) owner.release(buffer);  // else the GC's
            buffer = grown;
        }
        buffer.narrow(TIME, keep, added).copy_(x);
        return buffer;
    }

    /** {@code t}, made by a step or block, given to the scope the cache lives in (see the class comment). */
    private Tensor owned(Tensor t) {
        return owner == null ? MemoryScope.persist(t) : owner.own(t);
    }

    /** The first {@code t} positions of a buffer, {@code [B, H, t, hs]}. */
    private static Tensor filled(Tensor buffer, int t) {
        return buffer.narrow(TIME, 0, t);
    }
}
