package dev.jtune.train.reward;

import dev.jtune.core.Tensor;
import dev.jtune.nn.SequenceClassifier;
import dev.jtune.train.MetricLog;
import dev.jtune.train.PairwiseEvaluation;
import dev.jtune.train.TrainingObjective;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.ModelInputs;

/**
 * TRL's {@code RewardTrainer.compute_loss} as a {@link TrainingObjective}: each micro-batch's mean pairwise loss
 * ({@link RewardLoss}), counted once per micro-batch as transformers does for a loss without an item count, and the
 * metrics TRL logs: {@code num_tokens} (a running total of attention-mask tokens), {@code min_reward},
 * {@code mean_reward}, {@code max_reward}, {@code accuracy}, {@code margin}.
 */
public final class RewardObjective implements TrainingObjective {

    private final SequenceClassifier model;
    private final double centerRewardsCoefficient;
    private long totalTrainTokens;

    /** @param centerRewardsCoefficient TRL's {@code center_rewards_coefficient}, 0 for none */
    public RewardObjective(SequenceClassifier model, double centerRewardsCoefficient) {
        this.model = model;
        this.centerRewardsCoefficient = centerRewardsCoefficient;
    }

    @Override
    public SequenceClassifier model() {
        return model;
    }

    @Override
    public long count(ModelInputs batch) {
        return 1;
    }

    @Override
    public Tensor lossSum(ModelInputs batch, MetricLog metrics) {
        RewardLoss.Result result = loss(batch);
        totalTrainTokens += tokens(batch);
        metrics.set("num_tokens", totalTrainTokens);
        report(result, metrics);
        return result.loss();
    }

    private RewardLoss.Result loss(ModelInputs batch) {
        Tensor rewards = model.logits(batch.inputIds(), batch.attentionMask());  // (2B, 1)
        Tensor margin = batch.extra("margin");
        return RewardLoss.compute(rewards, margin == null ? null : toDoubles(margin), centerRewardsCoefficient);
    }

    private static void report(RewardLoss.Result result, MetricLog metrics) {
        metrics.add("min_reward", result.minReward());
        metrics.add("mean_reward", result.meanReward());
        metrics.add("max_reward", result.maxReward());
        metrics.add("accuracy", result.accuracy());
        metrics.add("margin", result.margin());
    }

    /** {@link PairwiseEvaluation}, with {@code num_tokens} the training total so far. */
    @Override
    public Evaluated evaluate(DataLoader loader) {
        return PairwiseEvaluation.run(model, loader, (batch, metrics) -> {
            RewardLoss.Result result = loss(batch);
            metrics.set("num_tokens", totalTrainTokens);
            report(result, metrics);
            return result.loss();
        });
    }

    private static long tokens(ModelInputs batch) {
        long n = 0;
        for (long m : batch.attentionMask().toLongArray()) n += m;
        return n;
    }

    private static double[] toDoubles(Tensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
