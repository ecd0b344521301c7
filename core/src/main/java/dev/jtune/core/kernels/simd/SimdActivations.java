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
enum SimdActivations {
    SIGMOID((a, aOff, n, arg, low, f) -> SimdSigmoid.logisticOfX(a, aOff, n, arg, low, f, false), SimdSigmoid::logistic),
    SILU((a, aOff, n, arg, low, f) -> SimdSigmoid.logisticOfX(a, aOff, n, arg, low, f, true), SimdSigmoid::logistic),
    SILU_GRAD((a, aOff, n, arg, low, f) -> SimdSigmoid.logisticOfX(a, aOff, n, arg, low, f, true),
            SimdSigmoid::logisticGrad),
    GELU_TANH((a, aOff, n, arg, low, f) -> SimdSigmoid.geluTanhArgs(a, aOff, n, arg, low, f, false),
            SimdSigmoid::logistic),
    GELU_TANH_GRAD((a, aOff, n, arg, low, f) -> SimdSigmoid.geluTanhArgs(a, aOff, n, arg, low, f, true),
            SimdSigmoid::logisticGrad),
    GELU((a, aOff, n, arg, low, f) -> SimdGelu.args(a, aOff, n, arg, low, f, false), SimdGelu::gelu),
    GELU_GRAD((a, aOff, n, arg, low, f) -> SimdGelu.args(a, aOff, n, arg, low, f, true), SimdGelu::geluGrad);

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

    private final Args args;
    private final Combine combine;

    SimdActivations(Args args, Combine combine) {
        this.args = args;
        this.combine = combine;
    }

    /** Scratch for {@link #apply} over ranges of up to n elements: three blocks. */
    static float[][] scratch(int n) {
        return new float[3][Math.max(0, Math.min(BLOCK, n))];
    }

    /**
     * {@code out[i] = activation(a[aOff + i])} for {@code from <= i < to}, with {@link #scratch} for the range's length
     * or more; {@code out} may be {@code a} with {@code aOff = 0}.
     */
    void apply(float[] out, float[] a, int aOff, int from, int to, float[][] scratch) {
        float[] arg = scratch[0], low = scratch[1], f = scratch[2];
        for (int i = from; i < to; i += BLOCK) {
            int n = Math.min(BLOCK, to - i);
            args.run(a, aOff + i, n, arg, low, f);
            SimdMath.timesExp(arg, low, f, n);
            combine.run(out, i, a, aOff + i, n, f, arg, low);
        }
    }

    void apply(float[] out, float[] a, int aOff, int from, int to) {
        apply(out, a, aOff, from, to, scratch(to - from));
    }
}
