package dev.jtune.app.demo;

import dev.jtune.nn.AutoModelForCausalLM;
import dev.jtune.nn.AutoModelForSequenceClassification;
import dev.jtune.nn.Generation;
import dev.jtune.nn.GenerationConfig;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.nn.SequenceClassificationModel;
import dev.jtune.nn.peft.LoraConfig;
import dev.jtune.nn.peft.PeftModel;
import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.IntervalStrategy;
import dev.jtune.train.TrainingArguments;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.dpo.DPOConfig;
import dev.jtune.train.dpo.DPOTrainer;
import dev.jtune.train.dpo.ReferenceModel;
import dev.jtune.train.reward.RewardConfig;
import dev.jtune.train.reward.RewardTrainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rest of RLHF on the demo's fine-tuned model, as in the classic "steer GPT-2 towards positive reviews" example:
 * made-up preference pairs prefer the positive continuation of a tweet's start over a negative or neutral one; a
 * reward model is trained on them (TRL's RewardTrainer), then the policy is optimised on the same kind of pairs with
 * DPO and a LoRA adapter (the reference is the policy with its adapter disabled: no second model in memory). Printed
 * before and after: the reward model's held-out pair accuracy, DPO's held-out reward accuracy and margins, and
 * sampled continuations of tweet starts, judged by the demo's own fine-tuned sentiment classifier (how many are
 * positive) and scored by the reward model.
 */
public final class RlhfDemo {

    private static final String CLASSIFY = "%s\nSentiment:";
    private static final int PREFERRED = 2;  // positive
    private static final int SAMPLES = 40;

    private RlhfDemo() {}

    /**
     * @param finetuned the demo's fine-tuned model folder (model and tokenizer)
     * @param out       where the reward model and the DPO adapter go
     */
    public static void run(Path finetuned, Path out, long seed) throws IOException {
        log("RLHF: the preference pairs below are made up by the demo's generator (a positive continuation of a tweet's "
                + "start is chosen, a negative or neutral one rejected); no person judged them");
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(finetuned);
        Dataset train = pairs(DemoCorpus.preferencePairs(600, PREFERRED, seed + 3));
        Dataset heldOut = pairs(DemoCorpus.preferencePairs(200, PREFERRED, seed + 4));

        // Step 2: a reward model: the fine-tuned body with a new score head, trained to rank chosen above rejected.
        SequenceClassificationModel reward = AutoModelForSequenceClassification.fromPretrained(finetuned, 1, seed);
        TrainingArguments rewardArgs = RewardConfig.defaultArguments().outputDir(out.resolve("reward").toString())
                .perDeviceTrainBatchSize(16).perDeviceEvalBatchSize(32).learningRate(1e-3).numTrainEpochs(1)
                .warmupSteps(2).loggingSteps(5).saveStrategy(IntervalStrategy.NO).seed(seed).build();
        RewardTrainer rewardTrainer = new RewardTrainer(reward, RewardConfig.of(rewardArgs), tokenizer, train, heldOut, List.of());
        double rewardBefore = rewardTrainer.evaluate().get("eval_accuracy");
        rewardTrainer.train();
        double rewardAfter = rewardTrainer.evaluate().get("eval_accuracy");
        rewardTrainer.saveModel();
        tokenizer.savePretrained(out.resolve("reward"));
        log("reward model: held-out pair accuracy %.1f%% before training (random score head), %.1f%% after",
                100 * rewardBefore, 100 * rewardAfter);

        // Step 3: DPO with a LoRA adapter on the policy; the reference is the policy with the adapter disabled.
        PreTrainedCausalLM base = AutoModelForCausalLM.fromPretrained(finetuned);
        PreTrainedCausalLM classifier = AutoModelForCausalLM.fromPretrained(finetuned);
        Judged before0 = judge(base, tokenizer, classifier, reward, seed);
        PeftModel policy = PeftModel.getPeftModel(base, LoraConfig.builder().r(8).loraAlpha(16)
                .targetModules("c_attn", "c_proj", "c_fc").build(), seed);
        TrainingArguments dpoArgs = DPOConfig.defaultArguments().outputDir(out.resolve("dpo").toString())
                .perDeviceTrainBatchSize(8).perDeviceEvalBatchSize(32).learningRate(2e-3).numTrainEpochs(1)
                .warmupSteps(2).loggingSteps(10).saveStrategy(IntervalStrategy.NO).seed(seed).build();
        DPOTrainer dpo = new DPOTrainer(policy, ReferenceModel.adapterDisabled(policy), DPOConfig.of(dpoArgs), tokenizer,
                train, heldOut, List.of());
        Map<String, Double> before = dpo.evaluate();
        dpo.train();
        Map<String, Double> after = dpo.evaluate();
        dpo.saveModel();
        log("DPO held-out: rewards/accuracies %.1f%% -> %.1f%%, rewards/margins %.4f -> %.4f, loss %.4f -> %.4f",
                100 * before.get("eval_rewards/accuracies"), 100 * after.get("eval_rewards/accuracies"),
                before.get("eval_rewards/margins"), after.get("eval_rewards/margins"), before.get("eval_loss"),
                after.get("eval_loss"));
        Judged after0 = judge(policy, tokenizer, classifier, reward, seed);
        for (int i = 0; i < before0.examples().size(); i++) {
            System.out.printf("before DPO: %s%nafter DPO:  %s%n", before0.examples().get(i), after0.examples().get(i));
        }
        log("sampled continuations the fine-tuned classifier calls positive: %d/%d before DPO, %d/%d after; mean "
                + "reward-model score %.3f before, %.3f after", before0.matches(), before0.total(), after0.matches(),
                after0.total(), before0.meanReward(), after0.meanReward());
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("reward_eval_accuracy_before", rewardBefore);
        metrics.put("reward_eval_accuracy", rewardAfter);
        metrics.put("dpo_eval_rewards_accuracies_before", before.get("eval_rewards/accuracies"));
        metrics.put("dpo_eval_rewards_accuracies", after.get("eval_rewards/accuracies"));
        metrics.put("dpo_eval_rewards_margins", after.get("eval_rewards/margins"));
        metrics.put("samples_positive_before", before0.matches());
        metrics.put("samples_positive_after", after0.matches());
        metrics.put("samples_mean_reward_before", before0.meanReward());
        metrics.put("samples_mean_reward_after", after0.meanReward());
        new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValue(out.resolve("metrics.json").toFile(), metrics);
        log("saved the reward model in %s, the DPO adapter (PEFT layout) in %s and metrics.json in %s",
                out.resolve("reward"), out.resolve("dpo"), out);
    }

    /**
     * @param matches    sampled continuations the classifier labels positive
     * @param examples   a few sampled tweets, for printing
     * @param meanReward the reward model's mean score of the samples
     */
    private record Judged(int matches, int total, List<String> examples, double meanReward) {}

    /** {@link #SAMPLES} sampled continuations of tweet starts, judged by the classifier and the reward model. */
    private static Judged judge(PreTrainedCausalLM policy, Tokenizer tokenizer, PreTrainedCausalLM classifier,
                                SequenceClassificationModel reward, long seed) {
        int eos = tokenizer.eosTokenId() == null ? -1 : tokenizer.eosTokenId();
        int newline = tokenizer.encode("\n", false)[0];
        int matches = 0;
        double rewardSum = 0;
        List<String> examples = new ArrayList<>();
        List<String> prompts = DemoCorpus.prompts(SAMPLES, seed + 7);
        for (int s = 0; s < SAMPLES; s++) {
            String prompt = prompts.get(s);
            int[] ids = Generation.generate(policy, tokenizer.encode(prompt, false),
                    GenerationConfig.sampling(12, newline, seed * 1000 + s).withTemperature(0.7).withTopK(10), null);
            String tweet = prompt + tokenizer.decode(ids, true).stripTrailing();
            if (s < 3) examples.add(tweet);
            int[] answer = Generation.generate(classifier, tokenizer.encode(String.format(Locale.ROOT, CLASSIFY, tweet), false),
                    GenerationConfig.greedy(1, eos), null);
            if (tokenizer.decode(answer, true).strip().equals(DemoCorpus.LABELS.get(PREFERRED))) matches++;
            rewardSum += score(reward, tokenizer, tweet + "\n");
        }
        return new Judged(matches, SAMPLES, examples, rewardSum / SAMPLES);
    }

    @SuppressWarnings("try")
    private static double score(SequenceClassificationModel reward, Tokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text + tokenizer.eosToken());
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) longs[i] = ids[i];
        try (var noGrad = dev.jtune.core.autograd.GradMode.noGrad()) {
            return reward.logits(dev.jtune.core.Tensor.ofLongs(longs, 1, ids.length), null).item();
        }
    }

    private static Dataset pairs(List<DemoCorpus.Pair> pairs) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DemoCorpus.Pair p : pairs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", p.prompt());
            row.put("chosen", p.chosen());
            row.put("rejected", p.rejected());
            rows.add(row);
        }
        return Dataset.fromRows(rows);
    }

    private static void log(String format, Object... args) {
        System.err.println("jtune: " + String.format(Locale.ROOT, format, args));
    }
}
