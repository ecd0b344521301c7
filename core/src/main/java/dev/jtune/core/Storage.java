package dev.jtune.core;

import dev.jtune.core.backend.Backends;
import dev.jtune.core.memory.BufferPool;
import dev.jtune.core.memory.DeviceBuffer;
import dev.jtune.core.memory.DeviceMemory;

/**
 * The flat buffer behind one or more tensors (views share it), its version counter and its lifetime.
 *
 * <p>The array type follows the dtype: F32 {@code float[]}, F64 {@code double[]}, BF16 and F16 {@code short[]} (raw
 * bits), I32 {@code int[]}, I64 {@code long[]}, BOOL {@code byte[]}. Every in-place write bumps the version, so
 * autograd can tell when a tensor saved for backward was modified.
 *
 * <p>A pooled host array may be longer than the storage (the pool hands out buffers of size classes): only its first
 * {@link #size()} elements belong to it, so code reads the size from the storage or the tensor, never from the array.
 *
 * <p>Lifetime: a storage made by an op comes from the current backend's {@link BufferPool} and belongs to the
 * innermost open {@link MemoryScope}; {@link #release} hands the buffer back to the pool at once (autograd does it for
 * gradients it has consumed, a scope for everything it owns when it closes). After release every access fails with a
 * message saying why the buffer went away: a released buffer is never read.
 *
 * <p>Where the data lives: on the CPU backends in a host array, which the accessors ({@link #floats()}, ...) return
 * as it is. A storage made while a backend with {@link DeviceMemory} (a GPU) is current lives on the device only, in a
 * {@link DeviceBuffer} that the backend's kernels take ({@link #kernelBuffer()}). The accessors are then an explicit
 * synchronisation: they copy the device's data into a host array and hand that out; since the caller may write to
 * it, the device copy counts as stale until the next kernel, which uploads the host array first. So host code stays
 * correct on any backend, and a device backend's tensors cross to the host only when host code touches them.
 */
public final class Storage {

    private final DType dtype;
    private final int size;
    private final BufferPool pool;  // the host arrays' allocator; null for a caller's array, which is never recycled
    private Object array;           // the host array; null while the data lives only on a device, and once released
    private DeviceBuffer device;    // the device copy, or null
    private boolean hostStale;      // the device copy is newer than the host array (or there is no host array yet)
    private boolean deviceStale;    // the host array is newer than the device copy
    private String releasedBecause;
    private int version;
    private int holds;              // saved tensors and pending gradients that still read this storage
    MemoryScope scope;              // the scope that releases it, or null

    Storage(DType dtype, Object array) {
        this(dtype, java.lang.reflect.Array.getLength(array), array, null);
    }

    private Storage(DType dtype, int size, Object array, BufferPool pool) {
        this.dtype = dtype;
        this.size = size;
        this.array = array;
        this.pool = pool;
    }

    /** A zero-filled storage of {@code size} elements from the current backend, owned by the current scope. */
    static Storage allocate(DType dtype, int size) {
        return fromBackend(dtype, size, true);
    }

    /** As {@link #allocate}, with arbitrary contents: for outputs that a kernel writes completely. */
    static Storage allocateUninitialized(DType dtype, int size) {
        return fromBackend(dtype, size, false);
    }

    private static Storage fromBackend(DType dtype, int size, boolean zeroed) {
        var backend = Backends.current();
        DeviceMemory memory = backend.device();
        Storage s;
        if (memory != null && memory.holds(dtype)) {
            s = new Storage(dtype, size, null, backend.buffers());
            s.device = memory.allocate(dtype, size, zeroed);
            s.hostStale = true;
        } else {
            s = new Storage(dtype, size, backend.buffers().take(dtype, size, zeroed), backend.buffers());
        }
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
     * Gives the buffer back to its pool (and device memory) now; {@code because} completes the error message of any
     * later access ("... was released after ..."). Releasing twice does nothing.
     */
    public void release(String because) {
        if (isReleased()) return;
        releasedBecause = because;
        if (array != null && pool != null) pool.give(dtype, array);
        if (device != null) device.free();
        array = null;
        device = null;
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
        return array == null && device == null;
    }

    /** Whether the data is (also) in a device buffer. */
    public boolean onDevice() {
        return device != null;
    }

    /**
     * The buffer the current backend's kernels take: the host array on a CPU backend, else a {@link DeviceBuffer} of
     * the backend's memory, made and uploaded from the host array if the storage was last written on the host. The
     * kernel may write to it, so a later host access downloads it again.
     */
    public Object kernelBuffer() {
        DeviceMemory memory = Backends.current().device();
        if (memory == null || !memory.holds(dtype)) return host();
        live();
        if (device != null && device.memory() != memory) {  // another device's copy: bring it home first
            host();
            device.free();
            device = null;
        }
        if (device == null) {
            device = memory.allocate(dtype, size, false);
            deviceStale = true;
        }
        if (deviceStale) {
            device.upload(array);
            deviceStale = false;
        }
        hostStale = true;
        return device;
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
        return (short[]) host();
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

    /** The backing host array, whatever its type ({@code System.arraycopy} works on any of them). */
    public Object array() {
        return host();
    }

    /**
     * The host array, downloaded first if a device kernel wrote the data since the host last saw it. The caller may
     * write to it, so the device copy (if any) is stale from now until the next kernel uploads it.
     */
    private Object host() {
        live();
        if (device != null) {
            if (hostStale) {
                if (array == null) array = pool.take(dtype, size, false);  // device-made storages always have a pool
                device.download(array);
                hostStale = false;
            }
            deviceStale = true;
        }
        return array;
    }

    /** Fails if the storage was released. */
    private void live() {
        if (isReleased()) {
            throw new IllegalStateException("use of a released " + dtype + " buffer of " + size + " elements (it was "
                    + "released " + releasedBecause + "); keep the tensor with MemoryScope.keep or clone() it "
                    + "before then");
        }
    }

    private <T> T cast(DType expected, Class<T> type) {
        if (dtype != expected) throw wrongType(expected.name());
        return type.cast(host());
    }

    private IllegalStateException wrongType(String expected) {
        return new IllegalStateException("storage holds " + dtype + ", not " + expected);
    }
}
