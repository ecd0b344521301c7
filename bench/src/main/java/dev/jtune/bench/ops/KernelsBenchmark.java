package dev.jtune.bench.ops;

import dev.jtune.core.backend.Backend;
import dev.jtune.core.backend.CpuBackend;
import dev.jtune.core.backend.UnaryOp;
import dev.jtune.core.kernels.Parallel;
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
 * the elementwise activations over the MLP's hidden activations [256, 3072], and the strided copies that transpose
 * attention heads.
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

        final Backend backend = new CpuBackend();
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

        final Backend backend = new CpuBackend();
        float[] qkv = new float[B * T * 3 * C], dk = new float[B * H * HS * T], out = new float[B * H * T * HS];

        @Setup(Level.Trial)
        public void setUp() {
            Parallel.setThreads(threads);
            Random rnd = new Random(7);
            for (int i = 0; i < qkv.length; i++) qkv[i] = rnd.nextFloat();
            for (int i = 0; i < dk.length; i++) dk[i] = rnd.nextFloat();
        }
    }

    @Benchmark
    public float[] unary(Activations s) {
        s.backend.unary(s.op, s.out, s.a, 0, s.out.length);
        return s.out;
    }

    /** {@code k^T} out of qkv: the view {@code [B, H, hs, T]} with strides {@code [T*3C, hs, 1, 3C]}. */
    @Benchmark
    public float[] copyKeysTransposed(Heads s) {
        s.backend.copy(s.out, s.qkv, C, new int[] {T * 3 * C, HS, 1, 3 * C}, new int[] {B, H, HS, T});
        return s.out;
    }

    /** {@code dk^T}: the view {@code [B, H, T, hs]} of a contiguous {@code [B, H, hs, T]}, strides {@code [.., 1, T]}. */
    @Benchmark
    public float[] copyHeadTransposed(Heads s) {
        s.backend.copy(s.out, s.dk, 0, new int[] {H * HS * T, HS * T, 1, T}, new int[] {B, H, T, HS});
        return s.out;
    }
}
