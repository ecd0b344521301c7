package dev.jtune.core.kernels.simd;

/** A {@link SimdUnary} kernel, {@code out[i] = f(a[aOff + i])} for {@code from <= i < to}, as a value for tests. */
@FunctionalInterface
interface SimdKernel {
    void run(float[] out, float[] a, int aOff, int from, int to);

    /** f of one element: a range of one element always takes the scalar twin. */
    default float scalar(float x) {
        float[] out = new float[1];
        run(out, new float[] {x}, 0, 0, 1);
        return out[0];
    }
}
