package dev.jtune.core.memory;

import dev.jtune.core.DType;

/**
 * The memory of a backend whose kernels do not read host arrays (a GPU). A {@link dev.jtune.core.Storage} made while
 * such a backend is current lives on the device only; the host sees it through an explicit copy, made when host code
 * asks for the array ({@code floats()}, ...), and copied back before the next kernel that reads it. Only F32 storages
 * live on a device; other dtypes stay host arrays.
 */
public interface DeviceMemory {

    /** A device buffer of {@code size} elements of {@code dtype}, zero-filled when {@code zeroed}. */
    DeviceBuffer allocate(DType dtype, int size, boolean zeroed);

    /** Whether storages of this dtype live on the device. */
    default boolean holds(DType dtype) {
        return dtype == DType.F32;
    }
}
