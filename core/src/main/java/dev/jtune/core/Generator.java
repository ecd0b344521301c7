package dev.jtune.core;

/**
 * A seeded random number generator (xoshiro256**, seeded through SplitMix64) whose state can be saved and restored,
 * so training resumed from a checkpoint draws the same numbers. Not thread-safe: give each consumer its own.
 */
public final class Generator {

    private final long[] s = new long[4];
    private double spareGaussian = Double.NaN;

    public Generator(long seed) {
        manualSeed(seed);
    }

    /** Resets the state from a seed, like {@code torch.Generator.manual_seed}. */
    public Generator manualSeed(long seed) {
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
        spareGaussian = Double.NaN;
        return this;
    }

    /** The full state: four words, then the cached Gaussian's bits. */
    public long[] getState() {
        return new long[] {s[0], s[1], s[2], s[3], Double.doubleToRawLongBits(spareGaussian)};
    }

    /** Restores a state from {@link #getState()}. */
    public void setState(long[] state) {
        if (state.length != 5) throw new IllegalArgumentException("Generator state must have 5 words, got " + state.length);
        System.arraycopy(state, 0, s, 0, 4);
        spareGaussian = Double.longBitsToDouble(state[4]);
    }

    public long nextLong() {
        long result = Long.rotateLeft(s[1] * 5, 7) * 9;
        long t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Long.rotateLeft(s[3], 45);
        return result;
    }

    /** Uniform in {@code [0, 1)} with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in {@code [0, 1)} with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in {@code [0, bound)}, unbiased (Lemire's multiply-and-reject). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long m = (nextLong() >>> 32) * bound;
        if ((m & 0xFFFFFFFFL) < bound) {
            long threshold = ((1L << 32) - bound) % bound;
            while ((m & 0xFFFFFFFFL) < threshold) m = (nextLong() >>> 32) * bound;
        }
        return (int) (m >>> 32);
    }

    /** Standard normal (Marsaglia's polar method; the second value is kept for the next call). */
    public double nextGaussian() {
        if (!Double.isNaN(spareGaussian)) {
            double g = spareGaussian;
            spareGaussian = Double.NaN;
            return g;
        }
        double u, v, q;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            q = u * u + v * v;
        } while (q >= 1 || q == 0);
        double f = Math.sqrt(-2 * Math.log(q) / q);
        spareGaussian = v * f;
        return u * f;
    }

    /** A random permutation of {@code 0..n-1} (Fisher-Yates). */
    public int[] randperm(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
