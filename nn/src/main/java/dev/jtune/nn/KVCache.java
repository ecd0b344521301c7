package dev.jtune.nn;

import dev.jtune.core.Tensor;
import java.util.List;

/**
 * The keys and values of past positions for each layer, so generation feeds one new token per step instead of the
 * whole sequence. Each entry is {@code [B, H_kv, T_past, hs]}.
 */
public final class KVCache {

    private final Tensor[] keys;
    private final Tensor[] values;

    public KVCache(int layers) {
        keys = new Tensor[layers];
        values = new Tensor[layers];
    }

    /** The number of cached positions (0 when empty). */
    public int length() {
        return keys[0] == null ? 0 : keys[0].size(2);
    }

    /** Appends this step's {@code k, v [B, H_kv, T_new, hs]} for {@code layer} and returns the full key and value. */
    public Tensor[] append(int layer, Tensor k, Tensor v) {
        keys[layer] = keys[layer] == null ? k.contiguous() : Tensor.cat(List.of(keys[layer], k), 2);
        values[layer] = values[layer] == null ? v.contiguous() : Tensor.cat(List.of(values[layer], v), 2);
        return new Tensor[] {keys[layer], values[layer]};
    }
}
