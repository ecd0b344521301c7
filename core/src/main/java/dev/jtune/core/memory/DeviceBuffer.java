package dev.jtune.core.memory;

/** One buffer in a {@link DeviceMemory}: the kernels of its backend take it where a CPU kernel takes an array. */
public interface DeviceBuffer {

    /** The memory this buffer belongs to. */
    DeviceMemory memory();

    /**
     * Copies the first elements of {@code host} (an array of the buffer's dtype, at least as long as the buffer: a pooled
     * array may be longer) to the device, as many as the buffer holds.
     */
    void upload(Object host);

    /**
     * Copies the device's contents into the first elements of {@code host} (at least as long as the buffer), after every
     * kernel queued on this buffer has finished.
     */
    void download(Object host);

    /** Gives the buffer back to its memory; the buffer is not used again. */
    void free();
}
