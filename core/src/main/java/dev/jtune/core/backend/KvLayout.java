package dev.jtune.core.backend;

/**
 * Where the fused attention kernels find the keys and values of each query matrix, so that a KV cache's buffer and
 * grouped-query attention's shared heads are read in place instead of copied.
 *
 * <p>Query matrix {@code b} (of {@code N = B * H}) attends over key and value matrix {@code b / group}; that matrix
 * is contiguous ({@code [Tk, hs]} and {@code [Tk, hsv]}) and starts at {@code (b / group) * kStride} of k and
 * {@code (b / group) * vStride} of v. Dense keys and values of every head are {@link #dense}; a KV cache's buffer
 * {@code [B, H_kv, capacity, hs]} has {@code kStride = capacity * hs}; with {@code H_kv} key heads each serving
 * {@code H / H_kv} query heads (PyTorch's {@code enable_gqa}), {@code group = H / H_kv}.
 *
 * @param kStride floats from one key matrix to the next, at least {@code Tk * hs}
 * @param vStride floats from one value matrix to the next, at least {@code Tk * hsv}
 * @param group   query matrices per key and value matrix, at least 1
 */
public record KvLayout(int kStride, int vStride, int group) {

    public KvLayout {
        if (kStride < 0 || vStride < 0 || group < 1) {
            throw new IllegalArgumentException("attention: bad key/value layout " + kStride + ", " + vStride + ", "
                    + group);
        }
    }

    /** Keys {@code [N, Tk, hs]} and values {@code [N, Tk, hsv]}, dense, one matrix per query matrix. */
    public static KvLayout dense(int tk, int hs, int hsv) {
        return new KvLayout(tk * hs, tk * hsv, 1);
    }

    /** Where the keys of query matrix {@code b} start. */
    public int keys(int b) {
        return b / group * kStride;
    }

    /** Where the values of query matrix {@code b} start. */
    public int values(int b) {
        return b / group * vStride;
    }
}
