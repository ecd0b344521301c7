package dev.jtune.bench;

import dev.jtune.bench.matmul.MatmulHarness;
import dev.jtune.bench.memory.BandwidthHarness;
import dev.jtune.bench.model.GenerateHarness;
import dev.jtune.bench.model.Gpt2StepHarness;
import dev.jtune.bench.model.LlamaLoraStepHarness;
import dev.jtune.bench.ops.AttentionHarness;
import dev.jtune.bench.tokenize.TokenizeHarness;
import dev.jtune.core.backend.Backends;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
        BENCHMARKS.put("gpt2-ab", dev.jtune.bench.model.Gpt2AbHarness::main);
        BENCHMARKS.put("rlhf-step", dev.jtune.bench.model.RlhfStepHarness::main);
        BENCHMARKS.put("llama-lora-step", LlamaLoraStepHarness::main);
        BENCHMARKS.put("llama-load", dev.jtune.bench.model.LlamaLoadHarness::main);
        BENCHMARKS.put("attention", AttentionHarness::main);
        BENCHMARKS.put("generate", GenerateHarness::main);
        BENCHMARKS.put("bandwidth", BandwidthHarness::main);
    }

    private BenchMain() {}

    public static void main(String[] args) {
        if (args.length == 0 || !BENCHMARKS.containsKey(args[0])) {
            System.err.println("usage: ./jtune bench NAME [--backend NAME [--device D:I]] [args...]   NAME: "
                    + String.join(", ", BENCHMARKS.keySet()));
            System.exit(args.length == 0 ? 0 : 2);
        }
        BENCHMARKS.get(args[0]).accept(withoutBackendOptions(Arrays.copyOfRange(args, 1, args.length)));
    }

    /**
     * Applies {@code --backend NAME} and {@code --device DRIVER:DEVICE} (for every benchmark: the backend its tensors
     * and kernels use) and returns the other arguments.
     */
    private static String[] withoutBackendOptions(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> Backends.use(Backends.byName(args[++i]));
                case "--device" -> System.setProperty("jtune.tornado.device", args[++i]);
                default -> rest.add(args[i]);
            }
        }
        return rest.toArray(String[]::new);
    }
}
