package dev.jtune.bench.model;

import static dev.jtune.bench.Measure.median;
import static dev.jtune.bench.Measure.peakRssGiB;
import static dev.jtune.bench.Measure.resetPeakRss;

import dev.jtune.bench.memory.BandwidthHarness;
import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.Generation;
import dev.jtune.nn.GenerationConfig;
import dev.jtune.nn.Layers;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.llama.LlamaForCausalLM;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code ./jtune bench generate [--model DIR | --config gpt2|qwen2.5-0.5b|llama-16m] [--dtype f32|bf16] [--threads N]
 * [--batch 1,8] [--prompt-tokens 32] [--new-tokens 128] [--runs 3]}: greedy decoding with the KV cache through
 * {@link Generation#generate}, the side-by-side counterpart of {@code bench/scripts/torch_generate_bench.py}. The
 * model is a Hugging Face directory, or the shape of a preset with seeded random weights: GPT-2 124M (the default) or
 * a Llama-family one of {@link LlamaPresets} (Qwen2.5-0.5B: grouped-query attention, 14 query heads per 2 key heads);
 * prompts are seeded random token ids. {@code --dtype bf16} keeps every weight in bf16, frozen, as a LoRA base with
 * {@code --base-dtype bf16} is: the products read it in place and compute in F32. The model is made in that dtype (a
 * bf16 checkpoint read as stored; random weights drawn in F32 and rounded one at a time), so no F32 copy of it counts
 * in the peak RSS.
 *
 * <p>For each batch size, after warm-up runs (at least one, and for at least {@link #WARMUP_NANOS}: a small model's
 * first runs are over before the JIT has compiled its kernels, and were timed at half the steady speed): tokens/s of
 * the whole call (B x new tokens / time, prompt included), the decode rate after the first new token, the prompt's time
 * (to the first new token), and the peak RSS while it ran; medians of the runs. Then batch 1's decode rate against the
 * memory-bandwidth limit: a step reads every weight once, so weight bytes x tokens/s cannot exceed the STREAM bandwidth
 * measured by {@link BandwidthHarness}.
 */
public final class GenerateHarness {

    /** Warm-up before the timed runs: the JIT's compiling, not the model, bounds the first seconds. */
    private static final long WARMUP_NANOS = 2_000_000_000L;
    /** Per array of the bandwidth measure: far beyond the last-level cache. */
    private static final int BANDWIDTH_MIB = 256;
    /** The shapes {@code --config} names: GPT-2 124M, or a Llama-family preset. */
    private static final String PRESETS = "gpt2|" + LlamaPresets.NAMES;

    private GenerateHarness() {}

    /** One batch size's medians. */
    private record Timing(double tokensPerSecond, double decodeTokensPerSecond, double promptSeconds,
                          double peakRssGiB) {}

    public static void main(String[] args) {
        String modelDir = null, preset = "gpt2", dtype = "f32";
        int[] batches = {1, 8};
        int promptTokens = 32, newTokens = 128, runs = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> modelDir = args[++i];
                case "--config" -> preset = args[++i];
                case "--dtype" -> dtype = args[++i];
                case "--threads" -> Parallel.setThreads(Integer.parseInt(args[++i]));
                case "--batch" -> batches = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--prompt-tokens" -> promptTokens = Integer.parseInt(args[++i]);
                case "--new-tokens" -> newTokens = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("bench generate: unknown argument " + args[i]
                        + " (expected --model DIR, --config " + PRESETS + ", --dtype f32|bf16, --threads N,"
                        + " --batch B[,B...], --prompt-tokens N, --new-tokens N, --runs R)");
            }
        }
        if (newTokens < 2) throw new IllegalArgumentException("bench generate: --new-tokens must be >= 2");
        if (!dtype.equals("f32") && !dtype.equals("bf16")) {
            throw new IllegalArgumentException("bench generate: --dtype must be f32 or bf16, got " + dtype);
        }
        PreTrainedCausalLM model = load(modelDir, preset, dtype.equals("bf16") ? DType.BF16 : DType.F32);
        long weightBytes = 0;
        for (Parameter p : model.parameters()) weightBytes += (long) p.value().numel() * p.value().dtype().byteSize();
        System.out.printf(Locale.ROOT, "generate: %s, %.1fM parameters (%.3f GB), threads %d, %d-token prompt, %d new "
                + "tokens, greedy, KV cache%n", (modelDir != null ? modelDir
                        : (preset.equals("gpt2") ? "GPT-2 124M" : preset) + " shapes, random weights") + ", " + dtype,
                model.numParameters() / 1e6, weightBytes / 1e9, Parallel.threads(), promptTokens, newTokens);

        Timing batchOne = null;
        for (int b : batches) {
            Timing t = time(model, b, promptTokens, newTokens, runs);
            System.out.printf(Locale.ROOT, "generate batch %d: %.1f tokens/s (decode %.1f tokens/s, prompt %.3f s), "
                    + "median of %d runs, peak RSS %.2f GiB%n", b, t.tokensPerSecond, t.decodeTokensPerSecond,
                    t.promptSeconds, runs, t.peakRssGiB);
            if (b == 1) batchOne = t;
        }
        if (batchOne != null) {
            BandwidthHarness.Result bw = BandwidthHarness.measure(Parallel.threads(), BANDWIDTH_MIB, 5);
            double read = batchOne.decodeTokensPerSecond * weightBytes / 1e9;
            System.out.printf(Locale.ROOT, "batch-1 decode reads %.1f GB/s of weights = %.0f%% of the %.1f GB/s "
                    + "bandwidth limit (best of read %.1f, STREAM copy %.1f, triad %.1f GB/s on %d threads)%n", read,
                    100 * read / bw.limit(), bw.limit(), bw.readBest(), bw.copyBest(), bw.triadBest(), bw.threads());
        }
    }

    /** The model of {@code dir} or {@code preset} (random weights) with its weights held in {@code dtype}. */
    private static PreTrainedCausalLM load(String dir, String preset, DType dtype) {
        if (dir != null) {
            try {
                return AutoModelForCausalLM.fromPretrained(Path.of(dir), dtype);
            } catch (IOException e) {
                throw new UncheckedIOException("bench generate: cannot load the model in " + dir, e);
            }
        }
        if (!Arrays.asList(PRESETS.split("\\|")).contains(preset)) {
            throw new IllegalArgumentException("bench generate: --config must be " + PRESETS + ", got " + preset);
        }
        PreTrainedCausalLM model = Layers.withParameterDtype(dtype, () -> preset.equals("gpt2")
                ? new GPT2LMHeadModel(GPT2Config.preset("gpt2").toBuilder().dropout(0).build(), 1)
                : new LlamaForCausalLM(LlamaPresets.of(preset), 1));
        if (dtype != DType.F32) {  // the pool keeps one F32 draw per weight shape, which generation never asks for
            Backends.current().buffers().emptyCache();
            System.gc();
        }
        return model;
    }

    /** Warm-up runs for {@link #WARMUP_NANOS} (at least one), then {@code runs} timed ones of {@code batch} prompts. */
    private static Timing time(PreTrainedCausalLM model, int batch, int promptTokens, int newTokens, int runs) {
        Generator g = new Generator(7);
        int[][] prompts = new int[batch][promptTokens];
        for (int[] p : prompts) Arrays.setAll(p, i -> g.nextInt(model.config().vocabSize()));
        GenerationConfig greedy = GenerationConfig.greedy(newTokens, -1);
        double[] total = new double[runs], decode = new double[runs], prompt = new double[runs];
        resetPeakRss();
        long warmupStart = System.nanoTime();
        do {
            Generation.generate(model, prompts, greedy, (row, id) -> {});
        } while (System.nanoTime() - warmupStart < WARMUP_NANOS);
        for (int r = 0; r < runs; r++) {
            long[] firstToken = {0};
            long t0 = System.nanoTime();
            Generation.generate(model, prompts, greedy, (row, id) -> {
                if (firstToken[0] == 0) firstToken[0] = System.nanoTime();
            });
            long t1 = System.nanoTime();
            total[r] = (double) batch * newTokens / ((t1 - t0) / 1e9);
            decode[r] = (double) batch * (newTokens - 1) / ((t1 - firstToken[0]) / 1e9);
            prompt[r] = (firstToken[0] - t0) / 1e9;
        }
        return new Timing(median(total), median(decode), median(prompt), peakRssGiB());
    }
}
