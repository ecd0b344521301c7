package dev.jtune.tornado;

import dev.jtune.core.DType;
import dev.jtune.core.memory.DeviceMemory;

/**
 * The tornado backend's device memory: one {@link DeviceArena} whose heap holds every F32 tensor made while the
 * backend is current, and the {@link DeviceOps} that run kernels on it.
 */
public final class TornadoMemory implements DeviceMemory {

    private final DeviceArena arena;
    private final DeviceOps ops;

    TornadoMemory(DeviceArena arena) {
        this.arena = arena;
        this.ops = new DeviceOps(arena);
    }

    DeviceArena arena() {
        return arena;
    }

    DeviceOps ops() {
        return ops;
    }

    @Override
    public DeviceRegion allocate(DType dtype, int size, boolean zeroed) {
        DeviceRegion region = new DeviceRegion(this, arena.allocate(size), size);
        if (zeroed) ops.fill(region.offset(), size, 0f);
        return region;
    }
}
