package dev.jtune.tornado;

import dev.jtune.core.backend.BackendContract;
import dev.jtune.core.backend.DeviceBackendOnHost;
import dev.jtune.core.backend.HostBackend;

/**
 * Core's whole backend contract (awkward sizes, broadcast layouts, NaN and infinity, attention and loss parts) on the
 * tornado backend, through {@link TornadoBackend} itself: storages' regions, offsets and the host copies included.
 * It is held to the CPU backend's bounds: the device's sums run in another order, within the reordering bounds the
 * contract already allows, and its elementwise functions compute in double and round once, as the reference does.
 */
class TornadoBackendContractTest implements BackendContract {

    private static final HostBackend BACKEND = DeviceBackendOnHost.of(TornadoTestBackend.INSTANCE);

    @Override
    public HostBackend backend() {
        return BACKEND;
    }
}
