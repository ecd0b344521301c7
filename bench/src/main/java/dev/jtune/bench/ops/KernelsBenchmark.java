package dev.jtune.bench.ops;

import dev.jtune.core.backend.AdamWStep;
import dev.jtune.core.backend.BinaryOp;
import dev.jtune.core.backend.CpuBackend;
import dev.jtune.core.backend.HostBackend;
import dev.jtune.core.backend.ReduceOp;
import dev.jtune.core.backend.UnaryOp;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.kernels.ScalarReduce;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: single CPU-backend kernels at GPT-2 124M training sizes (B=4, T=64, C=768, 12 heads of 64), on flat arrays:
 * the elementwise activations over the MLP's hidden activations [256, 3072], the fused bias + gelu_new beside the
 * composition it replaces, the strided copies that transpose attention heads, gradient clipping's sum of squares
 * over all 124M gradients beside its scalar twin, and AdamW after clipping in place beside AdamW applying the clip
 * coefficient itself.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp "bench/target/jtune-bench.jar:bench/target/lib/*"
 * org.openjdk.jmh.Main KernelsBenchmark -p threads=1}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class KernelsBenchmark {

    private static final int B = 4, T = 64, C = 768, H = 12, HS = C / H, ROWS = B * T, HIDDEN = 4 * C;

    /** The MLP's hidden activations: {@code a [ROWS, HIDDEN]} of N(0, 2) values (positive ones for log). */
    @State(Scope.Benchmark)
    public static class Activations {
        @Param({"1", "2"})
        public int threads;

        @Param({"EXP", "LOG", "TANH", "SIGMOID", "GELU", "GELU_GRAD", "GELU_TANH", "GELU_TANH_GRAD"})
        public UnaryOp op;

        final HostBackend backend = new CpuBackend();
        float[] a = new float[ROWS * HIDDEN], out = new float[ROWS * HIDDEN];

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setThreads(threads);
            Random rnd = new Random(7);
            for (int i = 0; i < a.length; i++) {
                float x = (float) (rnd.nextGaussian() * 2);
                a[i] = op == UnaryOp.LOG ? Math.abs(x) : x;
            }
        }
    }

    /**
     * Attention heads: a contiguous {@code qkv [B, T, 3C]} and a contiguous {@code dk [B, H, hs, T]} (the gradient of
     * the transposed keys), read back through transposed views.
     */
    @State(Scope.Benchmark)
    public static class Heads {
        @Param({"1", "2"})
        public int threads;

        final HostBackend backend = new CpuBackend();
        float[] qkv = new float[B * T * 3 * C], dk = new float[B * H * HS * T], out = new float[B * H * T * HS];

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setThreads(threads);
            Random rnd = new Random(7);
            for (int i = 0; i < qkv.length; i++) qkv[i] = rnd.nextFloat();
            for (int i = 0; i < dk.length; i++) dk[i] = rnd.nextFloat();
        }
    }

    /** c_fc's output {@code x [ROWS, HIDDEN]}, its bias, and an upstream gradient. */
    @State(Scope.Benchmark)
    public static class Mlp {
        @Param({"1", "2"})
        public int threads;

        final HostBackend backend = new CpuBackend();
        float[] x = new float[ROWS * HIDDEN], bias = new float[HIDDEN], g = new float[ROWS * HIDDEN];
        float[] out = new float[ROWS * HIDDEN], dbias = new float[HIDDEN];

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setThreads(threads);
            Random rnd = new Random(7);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
                g[i] = (float) rnd.nextGaussian();
            }
            for (int i = 0; i < bias.length; i++) bias[i] = (float) rnd.nextGaussian() * 0.1f;
        }
    }

    @Benchmark
    public float[] biasGeluFused(Mlp s) {
        s.backend.biasGelu(s.out, s.x, s.bias, ROWS, HIDDEN, true);
        return s.out;
    }

    /** What the fused op replaces: {@code x + bias} into a new tensor, then gelu_new into another. */
    @Benchmark
    public float[] biasGeluComposed(Mlp s) {
        float[] z = new float[ROWS * HIDDEN], y = new float[ROWS * HIDDEN];
        s.backend.binary(BinaryOp.ADD, z, s.x, 0, new int[] {HIDDEN, 1}, s.bias, 0, new int[] {0, 1},
                new int[] {ROWS, HIDDEN});
        s.backend.unary(UnaryOp.GELU_TANH, y, z, 0, y.length);
        return y;
    }

    @Benchmark
    public float[] biasGeluBackwardFused(Mlp s) {
        s.backend.biasGeluBackward(s.out, s.dbias, s.g, s.x, s.bias, ROWS, HIDDEN, true);
        return s.dbias;
    }

    /** The composition's backward from the saved {@code z = x + bias}: gelu_new'(z), times g, and the column sum. */
    @Benchmark
    public float[] biasGeluBackwardComposed(Mlp s) {
        float[] d = new float[ROWS * HIDDEN], dx = new float[ROWS * HIDDEN];
        int[] shape = {ROWS, HIDDEN}, dense = {HIDDEN, 1};
        s.backend.binary(BinaryOp.ADD, s.out, s.x, 0, dense, s.bias, 0, new int[] {0, 1}, shape);
        s.backend.unary(UnaryOp.GELU_TANH_GRAD, d, s.out, 0, d.length);
        s.backend.binary(BinaryOp.MUL, dx, s.g, 0, dense, d, 0, dense, shape);
        s.backend.reduce(ReduceOp.SUM, s.dbias, dx, 1, ROWS, HIDDEN);
        return s.dbias;
    }

    @Benchmark
    public float[] unary(Activations s) {
        s.backend.unary(s.op, s.out, s.a, 0, s.out.length);
        return s.out;
    }

    /** {@code k^T} out of qkv: the view {@code [B, H, hs, T]} with strides {@code [T*3C, hs, 1, 3C]}. */
    @Benchmark
    public float[] copyKeysTransposed(Heads s) {
        s.backend.copy(s.out, 0, new int[] {H * HS * T, HS * T, T, 1}, s.qkv, C, new int[] {T * 3 * C, HS, 1, 3 * C},
                new int[] {B, H, HS, T});
        return s.out;
    }

    /** {@code dk^T}: the view {@code [B, H, T, hs]} of a contiguous {@code [B, H, hs, T]}, strides {@code [.., 1, T]}. */
    @Benchmark
    public float[] copyHeadTransposed(Heads s) {
        s.backend.copy(s.out, 0, new int[] {H * T * HS, T * HS, HS, 1}, s.dk, 0, new int[] {H * HS * T, HS * T, 1, T},
                new int[] {B, H, T, HS});
        return s.out;
    }

    /** Every gradient of GPT-2 124M as one flat array of N(0, 1e-3) values: what gradient clipping reads each step. */
    @State(Scope.Benchmark)
    public static class Gradients {
        @Param({"1", "2"})
        public int threads;

        final HostBackend backend = new CpuBackend();
        final float[] g = new float[124_439_808];

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setThreads(threads);
            Random rnd = new Random(7);
            for (int i = 0; i < g.length; i++) g[i] = (float) (rnd.nextGaussian() * 1e-3);
        }
    }

    /** The backend's sum of squares: blocks in parallel, each in eight partial sums held in vectors of doubles. */
    @Benchmark
    public double sumOfSquares(Gradients s) {
        return s.backend.sumOfSquares(s.g, s.g.length);
    }

    /** Its scalar twin, the same blocks in parallel: the same bits. */
    @Benchmark
    public double sumOfSquaresScalar(Gradients s) {
        double[] partial = new double[ScalarReduce.squaresBlocks(s.g.length)];
        Parallel.forRange(partial.length, 1, (from, to) -> {
            for (int b = from; b < to; b++) partial[b] = ScalarReduce.sumOfSquares(s.g, s.g.length, b);
        });
        double sum = 0;
        for (double p : partial) sum += p;
        return sum;
    }

    /**
     * AdamW over GPT-2's token embedding (50257 x 768: p, g, m, v of 154 MB each, far beyond the caches) after gradient
     * clipping, with a clip coefficient just below 1 (so that repeated clipping in place leaves the values as they
     * are).
     */
    @State(Scope.Benchmark)
    public static class Optimizer {
        @Param({"1", "2"})
        public int threads;

        static final int N = 50257 * 768;
        static final float COEF = 0.99999994f;
        final HostBackend backend = new CpuBackend();
        final float[] p = new float[N], g = new float[N], m = new float[N], v = new float[N];
        final float[] coef = {COEF};

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setThreads(threads);
            Random rnd = new Random(7);
            for (int i = 0; i < N; i++) {
                p[i] = (float) rnd.nextGaussian() * 0.02f;
                g[i] = (float) rnd.nextGaussian() * 1e-3f;
                m[i] = g[i] * 0.1f;
                v[i] = g[i] * g[i] * 1e-3f;
            }
        }

        AdamWStep step(float gradScale) {
            return new AdamWStep(true, 1 - 1e-4f * 0.01f, 0.1f, 0.999f, 0.001f, -1e-4f / 0.1f, 0.03f, 1e-8f, gradScale);
        }
    }

    /** torch's order: clip_grad_norm_ multiplies every gradient in place, then the optimizer reads them. */
    @Benchmark
    public float[] adamwAfterClippingInPlace(Optimizer s) {
        s.backend.binary(BinaryOp.MUL, s.g, s.g, 0, new int[] {1}, s.coef, 0, new int[] {0}, new int[] {Optimizer.N});
        s.backend.adamw(s.p, s.g, s.m, s.v, Optimizer.N, s.step(1f));
        return s.p;
    }

    /** The trainer's: the coefficient applied as AdamW reads each gradient (the same bits, one pass fewer). */
    @Benchmark
    public float[] adamwWithClippingFused(Optimizer s) {
        s.backend.adamw(s.p, s.g, s.m, s.v, Optimizer.N, s.step(Optimizer.COEF));
        return s.p;
    }
}
