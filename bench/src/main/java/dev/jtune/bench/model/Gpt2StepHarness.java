package dev.jtune.bench.model;

import static dev.jtune.bench.Measure.median;
import static dev.jtune.bench.Measure.peakRssGiB;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.nn.CausalLMOutput;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.Layers;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.train.optim.AdamW;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./jtune bench gpt2-step [--config 124m|16m|tweet] [--steps N] [--threads N] [--lora-r R
 * [--lora-target-modules c_attn,...] [--base-dtype bf16|f32]]}: the side-by-side counterpart of
 * {@code shared/tools/torch_gpt2_bench.py}: a randomly initialised GPT-2 (no dropout), random tokens, and the median
 * time of the forward pass alone and of a training step (forward, backward, AdamW update), plus the peak RSS. With
 * {@code --lora-r} only LoRA adapters train (alpha 2r, default target c_attn) on a frozen base in bf16 (default).
 */
public final class Gpt2StepHarness {

    private Gpt2StepHarness() {}

    public static void main(String[] args) {
        String preset = "124m";
        int steps = 10, batch = 0, seq = 0, loraR = 0;  // 0: the preset's own; no LoRA
        List<String> targets = null;
        DType baseDtype = DType.BF16;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> preset = args[++i];
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--threads" -> Parallel.setThreads(Integer.parseInt(args[++i]));
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--lora-r" -> loraR = Integer.parseInt(args[++i]);
                case "--lora-target-modules" -> targets = List.of(args[++i].split(","));
                case "--base-dtype" -> baseDtype = LoraSetup.dtype(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --config 124m|16m|tweet,"
                        + " --steps N, --threads N, --batch B, --seq T, --lora-r R, --lora-target-modules M,..., --base-dtype bf16|f32)");
            }
        }
        GPT2Config config = config(preset);
        int b = batch > 0 ? batch : defaultBatch(preset);
        int t = seq > 0 ? seq : defaultSeq(preset);
        if (t > config.nPositions()) {
            throw new IllegalArgumentException("--seq " + t + " exceeds the model's " + config.nPositions() + " positions");
        }
        // A LoRA base is made in its dtype, each weight drawn in F32 and rounded in turn, as a checkpoint would load it.
        PreTrainedCausalLM model = Layers.withParameterDtype(loraR > 0 ? baseDtype : DType.F32,
                () -> new GPT2LMHeadModel(config.toBuilder().dropout(0).build(), 1));
        if (loraR > 0) {
            model = LoraSetup.apply(model, loraR, targets, baseDtype);
            System.gc();
        }
        model.train(true);
        Tensor input = randomTokens(b, t);
        // torch.optim.AdamW(lr=1e-4, betas=(0.9, 0.999), eps=1e-8, weight_decay=0), as torch_gpt2_bench.py and llm.c
        AdamW adam = LoraSetup.adamW(model);
        System.out.printf(Locale.ROOT, "gpt2-step %s: %.1fM parameters, B=%d T=%d, threads %d%n", preset,
                model.numParameters() / 1e6, b, t, Parallel.threads());

        double[] forward = new double[steps], step = new double[steps], fwd = new double[steps], bwd = new double[steps];
        for (int s = -2; s < steps; s++) {  // two warm-up steps
            long t0 = System.nanoTime();
            try (var scope = GradMode.noGrad(); var memory = MemoryScope.open()) {
                model.forward(input, null, input);
            }
            long t1 = System.nanoTime(), t2, t3;
            try (var memory = MemoryScope.open()) {
                CausalLMOutput out = model.forward(input, null, input);
                t2 = System.nanoTime();
                out.loss().backward();
                t3 = System.nanoTime();
            }
            adam.step();
            model.zeroGrad();
            long t4 = System.nanoTime();
            if (s >= 0) {
                forward[s] = (t1 - t0) / 1e9;
                step[s] = (t4 - t1) / 1e9;
                fwd[s] = (t2 - t1) / 1e9;
                bwd[s] = (t3 - t2) / 1e9;
            }
        }
        System.out.printf(Locale.ROOT, "forward %.3f s, train step %.3f s (medians of %d), peak RSS %.2f GiB%n",
                median(forward), median(step), steps, peakRssGiB());
        System.out.printf(Locale.ROOT, "  step breakdown: forward with autograd %.3f s, backward %.3f s, AdamW %.3f s%n",
                median(fwd), median(bwd), median(step) - median(fwd) - median(bwd));
    }

    /**
     * 124m: L12 C768 NH12, B=4 T=64; 16m: L4 C256 NH4, B=8 T=128 (the two rows of the fixtures README); tweet:
     * tweet-gpt2-small's shape (L4 C128 NH4) with [PAD] at the reference fine-tune's micro-batch, B=8 T=64.
     */
    static GPT2Config config(String preset) {
        return switch (preset) {
            case "16m" -> GPT2Config.preset("gpt2-16m");
            case "tweet" -> GPT2Config.preset("tweet-gpt2-small").withVocabSize(50258);
            case "124m" -> GPT2Config.preset("gpt2");
            default -> throw new IllegalArgumentException("--config must be 124m, 16m or tweet, got " + preset);
        };
    }

    static int defaultBatch(String preset) {
        return preset.equals("124m") ? 4 : 8;
    }

    static int defaultSeq(String preset) {
        return preset.equals("16m") ? 128 : 64;
    }

    /** {@code [b, t]} token ids drawn uniformly from GPT-2's 50,257, the same every run. */
    static Tensor randomTokens(int b, int t) {
        Generator g = new Generator(2);
        long[] ids = new long[b * t];
        for (int i = 0; i < ids.length; i++) ids[i] = g.nextInt(50257);
        return Tensor.ofLongs(ids, b, t);
    }
}
