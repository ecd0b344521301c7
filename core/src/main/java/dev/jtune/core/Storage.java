package dev.jtune.core;

import dev.jtune.core.backend.Backends;
import dev.jtune.core.memory.BufferPool;

/**
 * The flat buffer behind one or more tensors (views share it), its version counter and its lifetime.
 *
 * <p>The array type follows the dtype: F32 {@code float[]}, F64 {@code double[]}, BF16 and F16 {@code short[]} (raw
 * bits), I32 {@code int[]}, I64 {@code long[]}, BOOL {@code byte[]}. Every in-place write bumps the version, so
 * autograd can tell when a tensor saved for backward was modified.
 *
 * <p>Lifetime: a storage made by an op comes from the current backend's {@link BufferPool} and belongs to the
 * innermost open {@link MemoryScope}; {@link #release} hands the buffer back to the pool at once (autograd does it for
 * gradients it has consumed, a scope for everything it owns when it closes). After release every access fails with a
 * message saying why the buffer went away: a released buffer is never read. The accessors ({@link #floats()}, ...) are
 * the host view of the data; on the CPU backends the buffer lives on the host, so they return it as it is.
 */
public final class Storage {

    private final DType dtype;
    private final int size;
    private final BufferPool pool;  // null for a caller's array, which is never recycled
    private Object array;           // null once released
    private String releasedBecause;
    private int version;
    private int holds;              // saved tensors and pending gradients that still read this storage
    MemoryScope scope;              // the scope that releases it, or null

    Storage(DType dtype, Object array) {
        this(dtype, array, null);
    }

    private Storage(DType dtype, Object array, BufferPool pool) {
        this.dtype = dtype;
        this.array = array;
        this.size = java.lang.reflect.Array.getLength(array);
        this.pool = pool;
    }

    /** A zero-filled storage of {@code size} elements from the current backend, owned by the current scope. */
    static Storage allocate(DType dtype, int size) {
        return fromPool(dtype, size, true);
    }

    /** As {@link #allocate}, with arbitrary contents: for outputs that a kernel writes completely. */
    static Storage allocateUninitialized(DType dtype, int size) {
        return fromPool(dtype, size, false);
    }

    private static Storage fromPool(DType dtype, int size, boolean zeroed) {
        BufferPool pool = Backends.current().buffers();
        Storage s = new Storage(dtype, pool.take(dtype, size, zeroed), pool);
        MemoryScope.adopt(s);
        return s;
    }

    public DType dtype() {
        return dtype;
    }

    /** How many in-place writes this storage has seen. */
    public int version() {
        return version;
    }

    /** Records an in-place write. */
    public void bumpVersion() {
        version++;
    }

    public int size() {
        return size;
    }

    /**
     * Gives the buffer back to its pool now; {@code because} completes the error message of any later access ("...
     * was released after ..."). Releasing twice does nothing.
     */
    public void release(String because) {
        if (array == null) return;
        Object buffer = array;
        array = null;
        releasedBecause = because;
        if (pool != null) pool.give(dtype, buffer);
    }

    /** Autograd holds this storage: a tensor saved for a pending backward, or a pending gradient, reads it. */
    public void hold() {
        holds++;
    }

    /** How many saved tensors and pending gradients hold this storage. */
    public int holds() {
        return holds;
    }

    /**
     * Autograd is done with one hold. When none is left, nothing will read this storage again in this backward pass,
     * and it is released now: always when {@code engineOwned} (an intermediate gradient), else only when it belongs to
     * an open {@link MemoryScope} (an activation of the scope's forward pass, never a parameter or a caller's tensor).
     */
    public void unhold(String because, boolean engineOwned) {
        if (--holds == 0 && (engineOwned || scope != null)) release(because);
    }

    public boolean isReleased() {
        return array == null;
    }

    public float[] floats() {
        return cast(DType.F32, float[].class);
    }

    public double[] doubles() {
        return cast(DType.F64, double[].class);
    }

    /** The raw 16-bit patterns of a BF16 or F16 storage. */
    public short[] halves() {
        if (dtype != DType.BF16 && dtype != DType.F16) throw wrongType("BF16/F16");
        return (short[]) live();
    }

    public int[] ints() {
        return cast(DType.I32, int[].class);
    }

    public long[] longs() {
        return cast(DType.I64, long[].class);
    }

    public byte[] bools() {
        return cast(DType.BOOL, byte[].class);
    }

    /** The backing array, whatever its type ({@code System.arraycopy} works on any of them). */
    public Object array() {
        return live();
    }

    private Object live() {
        if (array == null) {
            throw new IllegalStateException("use of a released " + dtype + " buffer of " + size + " elements (it was "
                    + "released " + releasedBecause + "); keep the tensor with MemoryScope.keep or clone() it "
                    + "before then");
        }
        return array;
    }

    private <T> T cast(DType expected, Class<T> type) {
        if (dtype != expected) throw wrongType(expected.name());
        return type.cast(live());
    }

    private IllegalStateException wrongType(String expected) {
        return new IllegalStateException("storage holds " + dtype + ", not " + expected);
    }
}
