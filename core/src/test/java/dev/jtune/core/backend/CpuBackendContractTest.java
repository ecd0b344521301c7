package dev.jtune.core.backend;

/** The CPU backend keeps the backend contract (and, run with {@code -Djtune.simd=false}, its scalar twins do). */
class CpuBackendContractTest implements BackendContract {

    private final HostBackend backend = new CpuBackend();

    @Override
    public HostBackend backend() {
        return backend;
    }
}
