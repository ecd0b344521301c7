package dev.jtune.bench.model;

import static dev.jtune.bench.Measure.median;
import static dev.jtune.bench.Measure.peakRssGiB;
import static dev.jtune.bench.Measure.resetPeakRss;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.core.backend.Backends;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.core.memory.BufferPool;
import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.CausalLMOutput;
import dev.jtune.nn.Checkpoints;
import dev.jtune.nn.Layers;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.llama.LlamaConfig;
import dev.jtune.nn.llama.LlamaForCausalLM;
import dev.jtune.train.optim.AdamW;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./jtune bench llama-lora-step [--config qwen2.5-0.5b|llama-16m | --model DIR] [--lora-r R]
 * [--lora-target-modules M,...] [--base-dtype bf16|f32] [--batch B] [--seq T] [--steps N] [--threads N]}: a
 * Llama-family model built from a configuration with random weights (or loaded from a
 * checkpoint folder, as {@code finetune --lora-r} loads it), LoRA adapters (alpha 2r, PEFT's default q_proj,v_proj) on
 * its frozen base (bf16 by default), random tokens: the median time of a training step (forward, backward, AdamW on the
 * adapters), of the forward alone (no grad, with its loss; {@code bench/scripts/torch_llama_step_bench.py} is its
 * PyTorch twin) and the peak RSS of the steps; the time and peak RSS of building or loading the model are printed
 * apart. A random model is made in the base dtype, each weight drawn in f32 and rounded in turn; {@code bench
 * llama-load} writes such a model as a bf16 checkpoint, as the hub ships Qwen2.5-0.5B.
 */
public final class LlamaLoraStepHarness {

    private static final double GIB = 1024.0 * 1024 * 1024;

    private LlamaLoraStepHarness() {}

    public static void main(String[] args) {
        try {
            run(args);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void run(String[] args) throws IOException {
        String preset = "qwen2.5-0.5b";
        Path modelDir = null;
        int steps = 3, batch = 4, seq = 64, r = 8;
        List<String> targets = null;
        DType baseDtype = DType.BF16;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> preset = args[++i];
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--threads" -> Parallel.setThreads(Integer.parseInt(args[++i]));
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--lora-r" -> r = Integer.parseInt(args[++i]);
                case "--lora-target-modules" -> targets = List.of(args[++i].split(","));
                case "--base-dtype" -> baseDtype = LoraSetup.dtype(args[++i]);
                case "--model" -> modelDir = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --config "
                        + "qwen2.5-0.5b|llama-16m or --model DIR, --steps N, --threads N, --batch B, --seq T, --lora-r R, "
                        + "--lora-target-modules M,..., --base-dtype bf16|f32)");
            }
        }
        long built = System.nanoTime();
        PreTrainedCausalLM base;
        if (modelDir != null) {
            base = AutoModelForCausalLM.fromPretrained(modelDir, Checkpoints.loadDtypeForFrozenBase(modelDir, baseDtype));
            preset = modelDir.toString();
        } else {
            LlamaConfig config = LlamaPresets.of(preset);
            base = Layers.withParameterDtype(baseDtype, () -> new LlamaForCausalLM(config, 1));
        }
        PreTrainedCausalLM model = LoraSetup.apply(base, r, targets, baseDtype);
        System.gc();  // between the build and the steps: without it the old generation grows ~0.6-0.8 GiB more than in `finetune`
        System.out.printf(Locale.ROOT, "llama-lora-step %s: %.1fM parameters, B=%d T=%d, threads %d; %s in %.1f s, "
                        + "peak RSS so far %.2f GiB%n", preset, model.numParameters() / 1e6, batch, seq, Parallel.threads(),
                modelDir != null ? "loaded" : "built", (System.nanoTime() - built) / 1e9, peakRssGiB());
        resetPeakRss();  // from here the peak covers the steps, not the build
        int vocab = model.config().vocabSize();
        model.train(true);
        Generator g = new Generator(2);
        long[] ids = new long[batch * seq];
        for (int i = 0; i < ids.length; i++) ids[i] = g.nextInt(vocab);
        Tensor input = Tensor.ofLongs(ids, batch, seq);
        AdamW adam = LoraSetup.adamW(model);

        double[] step = new double[steps];
        for (int s = -1; s < steps; s++) {  // one warm-up step
            long t0 = System.nanoTime();
            try (var memory = MemoryScope.open()) {
                CausalLMOutput out = model.forward(input, null, input);
                out.loss().backward();
            }
            adam.step();
            model.zeroGrad();
            if (s >= 0) step[s] = (System.nanoTime() - t0) / 1e9;
        }
        double[] forward = new double[steps];
        for (int s = -1; s < steps; s++) {  // the forward alone, with its loss, as the PyTorch twin's inference_mode
            long t0 = System.nanoTime();
            try (var noGrad = GradMode.noGrad(); var memory = MemoryScope.open()) {
                model.forward(input, null, input);
            }
            if (s >= 0) forward[s] = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf(Locale.ROOT, "train step %.3f s, forward %.3f s (medians of %d), peak RSS of the steps %.2f GiB%n",
                median(step), median(forward), steps, peakRssGiB());
        BufferPool.Stats pool = Backends.current().buffers().stats();  // the heap hides it: the f32 draw's space is free
        System.out.printf(Locale.ROOT, "tensor buffers after the steps: %.2f GiB in use (buffers left to the GC count), "
                        + "%.2f GiB cached%n",
                pool.inUseBytes() / GIB, pool.cachedBytes() / GIB);
    }
}
