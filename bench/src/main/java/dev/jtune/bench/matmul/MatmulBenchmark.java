package dev.jtune.bench.matmul;

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
 * JMH: the CPU backend's matmul kernels on the GPT-2 shapes of {@link MatmulCase};
 * GFLOP/s = {@code case.flops() / time}.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp "bench/target/jtune-bench.jar:bench/target/lib/*"
 * org.openjdk.jmh.Main MatmulBenchmark -p threads=2}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class MatmulBenchmark {

    @Param
    public MatmulCase shape;

    @Param({"1", "2"})
    public int threads;

    private MatmulCase.Operands ops;

    @Setup(Level.Trial)
    public void setUp() {
        Parallel.setThreads(threads);
        ops = shape.operands(42);
    }

    @Benchmark
    public float[] matmul() {
        shape.multiply(ops, false);
        return ops.out();
    }
}
