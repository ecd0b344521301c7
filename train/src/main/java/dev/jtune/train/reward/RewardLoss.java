package dev.jtune.train.reward;

import dev.jtune.core.Tensor;
import dev.jtune.train.Softplus;

/**
 * TRL's reward-model loss for a batch of preference pairs, with the metrics its {@code RewardTrainer} logs.
 *
 * <p>The rewards come as one column {@code [2B]} with the B chosen rows first, then the B rejected rows (TRL's
 * {@code chunk(2)}). The loss is the Bradley-Terry {@code -logsigmoid(r_c - r_r - margin)} averaged over the pairs, plus
 * {@code coef * mean((r_c + r_r)^2)} when a {@code center_rewards_coefficient} is set (it keeps rewards centred on 0).
 */
public final class RewardLoss {

    private RewardLoss() {}

    /**
     * The loss of one batch and its metrics.
     *
     * @param loss      the scalar loss, differentiable
     * @param accuracy  the fraction of pairs with {@code r_c > r_r} (strictly: a tie counts as wrong)
     * @param margin    the mean of {@code r_c - r_r}
     * @param rewards   the 2B rewards, chosen first, for {@code min_reward}, {@code mean_reward}, {@code max_reward}
     */
    public record Result(Tensor loss, double accuracy, double margin, float[] rewards) {

        public double minReward() {
            double m = Double.POSITIVE_INFINITY;
            for (float r : rewards) m = Math.min(m, r);
            return m;
        }

        public double meanReward() {
            double s = 0;
            for (float r : rewards) s += r;
            return s / rewards.length;
        }

        public double maxReward() {
            double m = Double.NEGATIVE_INFINITY;
            for (float r : rewards) m = Math.max(m, r);
            return m;
        }
    }

    /**
     * @param rewards                  [2B] or [2B, 1], the chosen rows first
     * @param margins                  [B] the pairs' {@code margin} column, or null
     * @param centerRewardsCoefficient TRL's {@code center_rewards_coefficient}, 0 for none
     */
    public static Result compute(Tensor rewards, double[] margins, double centerRewardsCoefficient) {
        int n = rewards.numel();
        if (n % 2 != 0 || n == 0) {
            throw new IllegalArgumentException("reward loss: rewards must be [chosen..., rejected...], got "
                    + rewards.shapeString());
        }
        int b = n / 2;
        Tensor column = rewards.reshape(n);
        Tensor chosen = column.narrow(0, 0, b), rejected = column.narrow(0, b, b);  // (B) each
        Tensor difference = chosen.sub(rejected);                                     // (B)
        Tensor shifted = difference;
        if (margins != null) {
            if (margins.length != b) {
                throw new IllegalArgumentException("reward loss: " + margins.length + " margins for " + b + " pairs");
            }
            shifted = difference.sub(Tensor.of(toFloats(margins), b));
        }
        Tensor loss = Softplus.of(shifted.neg()).mean();  // -logsigmoid(x) = softplus(-x)
        if (centerRewardsCoefficient != 0) {
            loss = loss.add(chosen.add(rejected).pow(2).mean().mul(centerRewardsCoefficient));
        }
        float[] r = column.detach().toFloatArray(), d = difference.detach().toFloatArray();
        int correct = 0;
        double marginSum = 0;
        for (float x : d) {
            if (x > 0) correct++;
            marginSum += x;
        }
        return new Result(loss, (double) correct / b, marginSum / b, r);
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) out[i] = (float) values[i];
        return out;
    }
}
