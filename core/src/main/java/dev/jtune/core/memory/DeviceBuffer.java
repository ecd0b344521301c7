package dev.jtune.core.memory;

/** One buffer in a {@link DeviceMemory}: the kernels of its backend take it where a CPU kernel takes an array. */
public interface DeviceBuffer {

    /** The memory this buffer belongs to. */
    DeviceMemory memory();

    /** Copies {@code host} (an array of the buffer's dtype and length) to the device. */
    void upload(Object host);

    /** Copies the device's contents into {@code host}, after every kernel queued on this buffer has finished. */
    void download(Object host);

    /** Gives the buffer back to its memory; the buffer is not used again. */
    void free();
}
