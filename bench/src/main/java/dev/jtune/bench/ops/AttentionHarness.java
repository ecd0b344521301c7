package dev.jtune.bench.ops;

import dev.jtune.core.DType;
import dev.jtune.core.Functional;
import dev.jtune.core.Generator;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.kernels.Parallel;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code ./jtune bench attention [--t 64,1024] [--reps N] [--warmup N] [--threads N]}: causal self-attention at GPT-2 124M's head
 * shapes (B=4, H=12, hs=64), the fused op against its composed twin: median time of the forward pass alone (no
 * autograd) and of forward plus backward, wall clock and the CPU time of the calling thread (steadier on a shared
 * machine; with {@code --threads 1} it is all the compute, though not the garbage collector's work).
 */
public final class AttentionHarness {

    private static final int B = 4, H = 12, HS = 64;

    private AttentionHarness() {}

    public static void main(String[] args) {
        int[] lengths = {64, 1024};
        int reps = 5, warmup = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--t" -> lengths = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--threads" -> Parallel.setThreads(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (use --t T1,T2, --reps N, --warmup N, --threads N)");
            }
        }
        System.out.printf(Locale.ROOT, "attention: B=%d H=%d hs=%d causal, F32, threads %d%n", B, H, HS, Parallel.threads());
        for (int t : lengths) {
            Generator g = new Generator(t);
            Tensor q = Tensor.randn(g, DType.F32, B, H, t, HS).requiresGrad(true);
            Tensor k = Tensor.randn(g, DType.F32, B, H, t, HS).requiresGrad(true);
            Tensor v = Tensor.randn(g, DType.F32, B, H, t, HS).requiresGrad(true);
            for (boolean fused : new boolean[] {false, true}) {
                double[] forward = new double[reps], both = new double[reps];
                double[] forwardCpu = new double[reps], bothCpu = new double[reps];
                for (int r = -warmup; r < reps; r++) {
                    long t0 = System.nanoTime(), c0 = cpuNanos();
                    try (var scope = GradMode.noGrad()) {
                        attention(fused, q, k, v);
                    }
                    long t1 = System.nanoTime(), c1 = cpuNanos();
                    attention(fused, q, k, v).sum().backward();
                    long t2 = System.nanoTime(), c2 = cpuNanos();
                    q.zeroGrad();
                    k.zeroGrad();
                    v.zeroGrad();
                    if (r >= 0) {
                        forward[r] = (t1 - t0) / 1e6;
                        both[r] = (t2 - t1) / 1e6;
                        forwardCpu[r] = (c1 - c0) / 1e6;
                        bothCpu[r] = (c2 - c1) / 1e6;
                    }
                }
                System.out.printf(Locale.ROOT, "T=%-5d %-8s forward %8.2f ms (cpu %8.2f), forward+backward %8.2f ms "
                                + "(cpu %8.2f), medians of %d%n", t, fused ? "fused" : "composed", median(forward),
                        median(forwardCpu), median(both), median(bothCpu), reps);
            }
        }
    }

    private static Tensor attention(boolean fused, Tensor q, Tensor k, Tensor v) {
        return fused ? Functional.scaledDotProductAttention(q, k, v, null, true, Double.NaN)
                : Functional.scaledDotProductAttentionComposed(q, k, v, null, true, Double.NaN, 0, null);
    }

    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
