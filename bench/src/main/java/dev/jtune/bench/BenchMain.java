package dev.jtune.bench;

import dev.jtune.bench.matmul.MatmulHarness;
import dev.jtune.bench.memory.BandwidthHarness;
import dev.jtune.bench.model.GenerateHarness;
import dev.jtune.bench.model.Gpt2StepHarness;
import dev.jtune.bench.ops.AttentionHarness;
import dev.jtune.bench.tokenize.TokenizeHarness;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** {@code ./jtune bench NAME [args]}: quick timed harnesses; the JMH benchmarks live beside this class. */
public final class BenchMain {

    private static final Map<String, Consumer<String[]>> BENCHMARKS = new LinkedHashMap<>();

    static {
        // name -> harness main; each prints its own result lines
        BENCHMARKS.put("matmul", MatmulHarness::main);
        BENCHMARKS.put("tokenize", TokenizeHarness::main);
        BENCHMARKS.put("gpt2-step", Gpt2StepHarness::main);
        BENCHMARKS.put("attention", AttentionHarness::main);
        BENCHMARKS.put("generate", GenerateHarness::main);
        BENCHMARKS.put("bandwidth", BandwidthHarness::main);
    }

    private BenchMain() {}

    public static void main(String[] args) {
        if (args.length == 0 || !BENCHMARKS.containsKey(args[0])) {
            System.err.println("usage: ./jtune bench NAME [args...]   NAME: " + String.join(", ", BENCHMARKS.keySet()));
            System.exit(args.length == 0 ? 0 : 2);
        }
        BENCHMARKS.get(args[0]).accept(Arrays.copyOfRange(args, 1, args.length));
    }
}
