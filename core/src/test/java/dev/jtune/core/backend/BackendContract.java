package dev.jtune.core.backend;

/**
 * The whole backend contract: every {@link Backend} method, on awkward sizes (0, 1, around the vector length, large
 * odd ones) and special values, against {@link ReferenceBackend}. A backend's test implements it and names the backend
 * (and, if it needs one, its float tolerance); JUnit runs every part's tests on it:
 * <pre>
 * class MyBackendContractTest implements BackendContract {
 *     public HostBackend backend() { return new MyBackend(); }
 *     public double floatTolerance() { return 1e-6; }  // optional
 * }
 * </pre>
 * Another module gets it from core's test jar ({@code dev.jtune:jtune-core:test-jar}, scope test).
 */
public interface BackendContract extends ElementwiseContract, ReductionContract, IndexMatmulContract,
        BiasGeluContract, NormContract, SelectionContract, LossContract, AttentionContract {}
