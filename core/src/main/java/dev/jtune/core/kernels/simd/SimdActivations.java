package dev.jtune.core.kernels.simd;

/**
 * The activations built on one exponential (sigmoid, SiLU, tanh and exact GELU, and their derivatives), computed in
 * three passes over blocks of the input: a first pass turns x into an exponent, a small correction of it and a factor
 * ({@link SimdSigmoid}, {@link SimdGelu}); {@link SimdMath#timesExp} takes the exponential and its product with the
 * factor; a last pass combines them into the output. Each pass is a vector loop with its scalar twin, so an element
 * gets the same bits whichever path, block or thread it falls to.
 *
 * <p>Passes rather than one function of a vector: an activation and its exponential need 50 to 80 vector operations,
 * more than C2 inlines into one compilation before it starts boxing vectors (see {@link SimdMath}). Between passes the
 * data sits in three small arrays that stay in the L1 cache.
 */
final class SimdActivations {

    /** Elements per block: a multiple of every vector length, and three blocks of scratch fit in L1 (6 KB). */
    private static final int BLOCK = 512;

    /** Fills {@code arg, low, f [0, n)} from the inputs {@code a[aOff .. aOff + n)}. */
    @FunctionalInterface
    interface Args {
        void run(float[] a, int aOff, int n, float[] arg, float[] low, float[] f);
    }

    /** Writes {@code out[o .. o + n)} from the inputs and the factor f, the exponential e and their product fe. */
    @FunctionalInterface
    interface Combine {
        void run(float[] out, int o, float[] a, int aOff, int n, float[] f, float[] e, float[] fe);
    }

    private SimdActivations() {}

    /** {@code out[i] = activation(a[aOff + i])} for {@code from <= i < to}. */
    static void apply(float[] out, float[] a, int aOff, int from, int to, Args args, Combine combine) {
        int size = Math.min(BLOCK, to - from);
        if (size <= 0) return;
        float[] arg = new float[size], low = new float[size], f = new float[size];
        for (int i = from; i < to; i += BLOCK) {
            int n = Math.min(BLOCK, to - i);
            args.run(a, aOff + i, n, arg, low, f);
            SimdMath.timesExp(arg, low, f, n);
            combine.run(out, i, a, aOff + i, n, f, arg, low);
        }
    }
}
