package dev.jtune.tornado;

import dev.jtune.core.memory.DeviceBuffer;

/**
 * One storage's floats on the device: {@code size} floats of the arena's heap from {@code offset}. The tornado
 * backend's kernels take these where the CPU kernels take {@code float[]}.
 */
public record DeviceRegion(TornadoMemory memory, int offset, int size) implements DeviceBuffer {

    @Override
    public void upload(Object host) {
        memory.arena().upload((float[]) host, offset, size);
    }

    @Override
    public void download(Object host) {
        memory.arena().download(offset, (float[]) host, size);
    }

    @Override
    public void free() {
        memory.arena().free(offset);
    }
}
