package dev.jtune.bench.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.kernels.Parallel;
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
 * JMH: the non-matmul hot ops of GPT-2 124M training at B=4, T=64 (256 rows), each forward and backward:
 * softmax cross-entropy over the 50257-token vocabulary, layer norm over 768 channels, and causal attention with
 * 12 heads of 64.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp "bench/target/jtune-bench.jar:bench/target/lib/*"
 * org.openjdk.jmh.Main OpsBenchmark -p threads=2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class OpsBenchmark {

    private static final int B = 4, T = 64, C = 768, H = 12, V = 50257;

    @Param({"1", "2"})
    public int threads;

    private Tensor logits;  // (B*T, V)
    private Tensor targets; // (B*T)
    private Tensor x;       // (B, T, C)
    private Tensor weight, bias;
    private Tensor q, k, v; // (B, H, T, C/H)

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        Generator g = new Generator(7);
        logits = Tensor.randn(g, DType.F32, B * T, V).requiresGrad(true);
        long[] t = new long[B * T];
        for (int i = 0; i < t.length; i++) t[i] = g.nextInt(V);
        targets = Tensor.ofLongs(t, B * T);
        x = Tensor.randn(g, DType.F32, B, T, C).requiresGrad(true);
        weight = Tensor.randn(g, DType.F32, C).requiresGrad(true);
        bias = Tensor.randn(g, DType.F32, C).requiresGrad(true);
        q = Tensor.randn(g, DType.F32, B, H, T, C / H).requiresGrad(true);
        k = Tensor.randn(g, DType.F32, B, H, T, C / H).requiresGrad(true);
        v = Tensor.randn(g, DType.F32, B, H, T, C / H).requiresGrad(true);
    }

    @Benchmark
    public Tensor crossEntropyForwardBackward() {
        logits.zeroGrad();
        Functional.crossEntropy(logits, targets).backward();
        return logits.grad();
    }

    @Benchmark
    public Tensor layerNormForwardBackward() {
        x.zeroGrad();
        Functional.layerNorm(x, weight, bias, 1e-5).sum().backward();
        return x.grad();
    }

    @Benchmark
    public Tensor causalAttentionForwardBackward() {
        q.zeroGrad();
        Functional.scaledDotProductAttention(q, k, v, null, true, Double.NaN).sum().backward();
        return q.grad();
    }
}
