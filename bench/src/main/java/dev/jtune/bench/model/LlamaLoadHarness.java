package dev.jtune.bench.model;

import static dev.jtune.bench.Measure.median;
import static dev.jtune.bench.Measure.peakRssGiB;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Generation;
import dev.jtune.nn.GenerationConfig;
import dev.jtune.nn.Layers;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code ./jtune bench llama-load [--config qwen2.5-0.5b|llama-16m] [--dir DIR] [--dtype f32|bf16] [--steps N]}: a
 * Llama-family checkpoint of the given shapes with random weights, written once as bf16 safetensors (as the hub ships
 * Qwen2.5-0.5B) with its config.json, then: the time {@code AutoModelForCausalLM.fromPretrained} takes to load it
 * (weights held in f32, or with {@code --dtype bf16} as stored: frozen, as a LoRA base), the forward pass's tokens/s
 * (no gradient) for a batch of 4 x 64 tokens and for one prompt of 128, greedy decoding's tokens/s with the KV cache
 * (32 new tokens after a 32-token prompt), and the peak RSS of the whole run.
 */
public final class LlamaLoadHarness {

    private LlamaLoadHarness() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(String[] args) throws IOException {
        String preset = "qwen2.5-0.5b";
        Path dir = null;
        int steps = 3;
        DType dtype = DType.F32;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> preset = args[++i];
                case "--dir" -> dir = Path.of(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--dtype" -> dtype = LoraSetup.dtype(args[++i]);
                case "--threads" -> Parallel.setThreads(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --config "
                        + LlamaPresets.NAMES + ", --dir DIR, --dtype f32|bf16, --steps N, --threads N)");
            }
        }
        LlamaConfig config = LlamaPresets.of(preset);
        if (dir == null) dir = Path.of(System.getProperty("java.io.tmpdir"), "jtune-bench-" + preset);
        if (!Files.exists(dir.resolve("model.safetensors"))) write(config, dir);

        long t0 = System.nanoTime();
        PreTrainedCausalLM model = AutoModelForCausalLM.fromPretrained(dir, dtype);
        double load = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "llama-load %s: %.1fM parameters (bf16 checkpoint %.2f GB) loaded in %s in %.2f s, "
                + "peak RSS so far %.2f GiB, threads %d%n", preset, model.numParameters() / 1e6,
                Files.size(dir.resolve("model.safetensors")) / 1e9, dtype, load, peakRssGiB(), Parallel.threads());
        model.eval();
        Generator g = new Generator(2);
        double batch = tokensPerSecond(model, ids(g, config, 4, 64), steps);
        double single = tokensPerSecond(model, ids(g, config, 1, 128), steps);
        int[] prompt = new int[32];
        for (int i = 0; i < prompt.length; i++) prompt[i] = g.nextInt(config.vocabSize());
        double[] decode = new double[steps];
        for (int s = -1; s < steps; s++) {
            long d0 = System.nanoTime();
            Generation.generate(model, prompt, GenerationConfig.greedy(32, -1), null);
            if (s >= 0) decode[s] = 32 / ((System.nanoTime() - d0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "forward %.0f tokens/s (4 x 64), %.0f tokens/s (1 x 128); greedy decoding %.1f "
                + "tokens/s (batch 1, KV cache, prompt 32 included); peak RSS %.2f GiB%n", batch, single, median(decode),
                peakRssGiB());
    }

    /** The median forward throughput over {@code steps} runs (after one warm-up), no gradient. */
    @SuppressWarnings("try")
    private static double tokensPerSecond(PreTrainedCausalLM model, Tensor input, int steps) {
        double[] rate = new double[steps];
        for (int s = -1; s < steps; s++) {
            long t0 = System.nanoTime();
            try (var noGrad = GradMode.noGrad(); var memory = MemoryScope.open()) {
                model.logits(input, null, null, null);
            }
            if (s >= 0) rate[s] = input.numel() / ((System.nanoTime() - t0) / 1e9);
        }
        return median(rate);
    }

    private static Tensor ids(Generator g, LlamaConfig config, int b, int t) {
        long[] ids = new long[b * t];
        for (int i = 0; i < ids.length; i++) ids[i] = g.nextInt(config.vocabSize());
        return Tensor.ofLongs(ids, b, t);
    }

    /** A random model of {@code config} written as bf16 safetensors (tied weights once) and config.json. */
    private static void write(LlamaConfig config, Path dir) throws IOException {
        System.out.println("writing a random bf16 checkpoint to " + dir + " (once)");
        Layers.withParameterDtype(DType.BF16, () -> new LlamaForCausalLM(config, 1)).savePretrained(dir);
    }
}
