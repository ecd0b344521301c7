package dev.jtune.core.backend;

/**
 * What every part of the backend contract runs on: the backend under test, compared with {@link ReferenceBackend}, and
 * the float tolerance it is held to. Implement {@link BackendContract} to run the whole contract.
 */
public interface ContractTarget {

    /** The reference every result is compared with. */
    HostBackend REFERENCE = new ReferenceBackend();

    /** The backend under test. */
    HostBackend backend();

    /**
     * A relative error this backend may add to every F32 result, on top of the bounds the contract derives for the CPU
     * backend. 0, the default, holds it to those bounds, and to the bit where IEEE arithmetic fixes the result; a
     * backend whose kernels round differently (a GPU's fast math) names its own.
     */
    default double floatTolerance() {
        return 0;
    }

    /** {@code got} equals {@code want} bit for bit (NaNs aside), or within {@link #floatTolerance()} of it. */
    default void assertExact(String what, float[] want, float[] got) {
        if (floatTolerance() == 0) {
            Compare.exact(what, want, got);
        } else {
            Compare.within(what, want, got, floatTolerance(), 0);
        }
    }

    /** {@code |got - want| <= tol[i] + floatTolerance() |want|}. */
    default void assertWithin(String what, float[] want, float[] got, double[] tol) {
        double[] widened = new double[tol.length];
        for (int i = 0; i < tol.length; i++) widened[i] = tol[i] + floatTolerance() * Math.abs(want[i]);
        Compare.within(what, want, got, widened);
    }

    /** {@code |got - want| <= (rtol + floatTolerance()) |want| + atol}. */
    default void assertWithin(String what, float[] want, float[] got, double rtol, double atol) {
        Compare.within(what, want, got, rtol + floatTolerance(), atol);
    }
}
