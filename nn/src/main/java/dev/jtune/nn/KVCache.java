package dev.jtune.nn;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import java.util.List;

/**
 * The keys and values of past positions for each layer, so generation feeds one new token per step instead of the
 * whole sequence.
 *
 * <p>Each layer's keys and values live in a time-major buffer {@code [capacity, B, H_kv, hs]}, so a step writes only
 * its own positions, one contiguous block, where a {@code cat} per step would copy the whole cache every time. The
 * buffer is sized by {@link #reserve} (generation knows its final length) or doubles when full. {@link #append}
 * returns {@code [B, H_kv, T, hs]} views of the filled part. When the new keys are part of an autograd graph (grad
 * mode on), the append is a differentiable {@code cat} instead.
 */
public final class KVCache {

    private final Tensor[] keys;    // per layer: [capacity, B, H_kv, hs]
    private final Tensor[] values;
    private final int[] lengths;    // per layer: the filled positions
    private int reserved;

    public KVCache(int layers) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
        lengths = new int[layers];
    }

    /** Makes buffers allocated from now on hold at least {@code positions} positions; returns this cache. */
    public KVCache reserve(int positions) {
        reserved = positions;
        return this;
    }

    /** The number of cached positions (0 when empty). */
    public int length() {
        return lengths[0];
    }

    /**
     * Appends this step's {@code k, v [B, H_kv, T_new, hs]} for {@code layer} and returns the full key and value,
     * {@code [B, H_kv, T_past + T_new, hs]} each.
     */
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        int past = lengths[layer], now = past + k.size(2);
        keys[layer] = write(keys[layer], past, k.permute(2, 0, 1, 3));
        values[layer] = write(values[layer], past, v.permute(2, 0, 1, 3));
        lengths[layer] = now;
        return new Tensor[] {filled(keys[layer], now), filled(values[layer], now)};
    }

    /** {@code x [T_new, B, H, hs]} written at position {@code past} of {@code buffer} (null when empty). */
    private Tensor write(Tensor buffer, int past, Tensor x) {
        if (GradMode.isEnabled() && x.requiresGrad()) {  // keep the graph: the cache becomes a new tensor
            return past == 0 ? x : Tensor.cat(List.of(buffer.narrow(0, 0, past), x), 0);
        }
        int needed = past + x.size(0);
        if (buffer == null || buffer.size(0) < needed) {
            int capacity = Math.max(Math.max(needed, reserved), buffer == null ? 0 : 2 * buffer.size(0));
            Tensor grown = Tensor.zeros(x.dtype(), capacity, x.size(1), x.size(2), x.size(3));
            if (past > 0) grown.narrow(0, 0, past).copy_(buffer.narrow(0, 0, past));
            buffer = grown;
        }
        buffer.narrow(0, past, x.size(0)).copy_(x);
        return buffer;
    }

    /** The first {@code t} positions of a buffer as {@code [B, H, t, hs]}. */
    private static Tensor filled(Tensor buffer, int t) {
        return buffer.narrow(0, 0, t).permute(1, 2, 0, 3);
    }
}
