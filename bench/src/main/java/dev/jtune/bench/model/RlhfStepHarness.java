package dev.jtune.bench.model;

import static dev.jtune.bench.Measure.median;
import static dev.jtune.bench.Measure.peakRssGiB;

import dev.jtune.core.DType;
import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.kernels.Parallel;
import dev.jtune.nn.Layers;
import dev.jtune.nn.Module;
import dev.jtune.nn.Parameter;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.gpt2.GPT2Config;
import dev.jtune.nn.gpt2.GPT2LMHeadModel;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.nn.peft.PeftModelForSequenceClassification;
import dev.jtune.train.MetricLog;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.TrainingObjective;
import dev.jtune.train.data.DataCollator;
import dev.jtune.train.data.ModelInputs;
import dev.jtune.train.dpo.DPOConfig;
import dev.jtune.train.dpo.DPOObjective;
import dev.jtune.train.dpo.ReferenceModel;
import dev.jtune.train.optim.AdamW;
import dev.jtune.train.reward.RewardObjective;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./jtune bench rlhf-step --objective dpo|reward [--pairs B] [--seq T] [--lora-r R] [--base-dtype f32|bf16]
 * [--steps N]}: one training
 * step of DPO or of a reward model on GPT-2 124M shapes (random weights, no dropout) with a LoRA adapter on
 * {@code c_attn} (PEFT's GPT-2 default), B preference pairs of T tokens per side: the median step time (forward,
 * backward, AdamW on the trainable tensors) and the peak RSS. DPO's reference is the policy with its adapter
 * disabled, so one copy of the weights serves both; the reward model is PEFT's sequence-classification model (the
 * adapters on the classifier's body), whose {@code score} head trains in full as a module to save.
 */
public final class RlhfStepHarness {

    private RlhfStepHarness() {}

    public static void main(String[] args) {
        String objectiveName = "dpo";
        int pairs = 4, seq = 64, rank = 8, steps = 5;
        DType baseDtype = DType.F32;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--objective" -> objectiveName = args[++i];
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--seq" -> seq = Integer.parseInt(args[++i]);
                case "--lora-r" -> rank = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--threads" -> Parallel.setThreads(Integer.parseInt(args[++i]));
                case "--base-dtype" -> baseDtype = LoraSetup.dtype(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --objective dpo|reward, "
                        + "--pairs B, --seq T, --lora-r R, --base-dtype f32|bf16, --steps N, --threads N)");
            }
        }
        // The frozen base is made in its dtype (each weight drawn in F32 and rounded in turn, as a checkpoint would
        // load it); a reward model's score head, made below, stays F32.
        GPT2LMHeadModel base = Layers.withParameterDtype(baseDtype,
                () -> new GPT2LMHeadModel(GPT2Config.preset("gpt2").toBuilder().dropout(0).build(), 1));
        LoraConfig lora = LoraConfig.builder().r(rank).loraAlpha(2 * rank).build();
        TrainingArguments args0 = TrainingArguments.builder().outputDir("unused").build();
        TrainingObjective objective;
        Module trained;
        DataCollator collator;
        if (objectiveName.equals("dpo")) {
            PeftModel peft = PeftModel.getPeftModel(base, lora, 2).frozenBaseTo(baseDtype);
            objective = new DPOObjective(peft, ReferenceModel.adapterDisabled(peft), DPOConfig.of(args0));
            trained = peft;
            collator = new dev.jtune.train.dpo.DataCollatorForPreference(50256, null, "keep_start", 1);
        } else if (objectiveName.equals("reward")) {
            // PEFT's SEQ_CLS model: the adapters on the classifier's body, its score head a module to save
            SequenceClassificationModel classifier = new SequenceClassificationModel(base, List.of("LABEL_0"), 3);
            classifier.setPadTokenId(50256);
            PeftModelForSequenceClassification reward = PeftModelForSequenceClassification.getPeftModel(classifier,
                    lora, 2).frozenBaseTo(baseDtype);
            objective = new RewardObjective(reward, 0);
            trained = reward;
            collator = new dev.jtune.train.reward.DataCollatorForPreference(50256, 1);
        } else {
            throw new IllegalArgumentException("--objective must be dpo or reward, got " + objectiveName);
        }
        trained.train(true);
        ModelInputs batch = collator.apply(rows(pairs, seq, objectiveName.equals("dpo")));
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        trained.namedParameters().forEach((name, p) -> {
            if (p.requiresGrad()) trainable.put(name, p);
        });
        AdamW adam = new AdamW(List.of(new AdamW.ParamGroup(trainable, 0)), 1e-4, 0.9, 0.999, 1e-8);
        long trainableCount = trainable.values().stream().mapToLong(Parameter::numel).sum();
        System.out.printf(Locale.ROOT, "rlhf-step %s: GPT-2 124M shapes, LoRA r %d on c_attn (%.2fM trainable), %s base, "
                + "%d pairs x %d tokens, threads %d%n", objectiveName, rank, trainableCount / 1e6, baseDtype, pairs, seq,
                Parallel.threads());
        double[] times = new double[steps];
        for (int s = -2; s < steps; s++) {  // two warm-up steps
            long t0 = System.nanoTime();
            try (var memory = MemoryScope.open()) {
                objective.lossSum(batch, new MetricLog()).backward();
            }
            adam.step();
            trained.zeroGrad();
            if (s >= 0) times[s] = (System.nanoTime() - t0) / 1e9;
        }
        System.out.printf(Locale.ROOT, "%s step %.3f s (median of %d), peak RSS %.2f GiB%n", objectiveName, median(times),
                steps, peakRssGiB());
    }

    /** Random pairs: DPO rows of a prompt of T/2 tokens and completions of T/2; reward rows of T tokens per side. */
    private static List<Map<String, Object>> rows(int pairs, int seq, boolean dpo) {
        Generator g = new Generator(4);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            if (dpo) {
                row.put("prompt_ids", ids(g, seq / 2));
                row.put("chosen_ids", ids(g, seq - seq / 2));
                row.put("rejected_ids", ids(g, seq - seq / 2));
            } else {
                row.put("chosen_ids", ids(g, seq));
                row.put("rejected_ids", ids(g, seq));
            }
            rows.add(row);
        }
        return rows;
    }

    private static long[] ids(Generator g, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = g.nextInt(50256);
        return out;
    }
}
