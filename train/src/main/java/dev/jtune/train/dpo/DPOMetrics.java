package dev.jtune.train.dpo;

import dev.jtune.core.Tensor;
import dev.jtune.train.MetricLog;

/**
 * The metrics TRL's {@code DPOTrainer} logs for a batch, computed from the detached policy logits and the summed
 * log-probs: {@code entropy} (mean per-token entropy over every completion position), {@code logits/chosen} and
 * {@code logits/rejected} (the vocabulary-mean logit averaged over completion positions), {@code mean_token_accuracy}
 * (argmax = next id over the chosen completions), the implicit rewards {@code beta (pi - ref)} of each side, their
 * strict accuracy and margins, and the mean log-probs.
 */
final class DPOMetrics {

    private DPOMetrics() {}

    /**
     * @param logits    [S, V] the policy's at the completion positions, no gradient needed
     * @param positions the S flat positions {@code row * T + t} of those logits, increasing
     * @param inputIds  [2B, T]
     * @param logps     [2B] the policy's summed log-probs, chosen first
     * @param ref       [2B] the reference's, chosen first
     */
    static void report(Tensor logits, int[] positions, Tensor inputIds, float[] logps, float[] ref, double beta,
                       MetricLog metrics, Runnable numTokens) {
        int rows = inputIds.size(0), t = inputIds.size(1), v = logits.size(1), b = rows / 2;
        long[] ids = inputIds.toLongArray();
        double entropySum = 0, meanLogit[] = new double[2];
        long tokens = 0, sideTokens[] = new long[2], correct = 0;
        for (int s = 0; s < positions.length; s++) {
            int side = positions[s] / t < b ? 0 : 1;
            float[] x = logits.detach().narrow(0, s, 1).contiguous().toFloatArray();  // (V): one position at a time
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            int argmax = 0;
            for (int c = 0; c < v; c++) {
                if (x[c] > max) {
                    max = x[c];
                    argmax = c;
                }
                sum += x[c];
            }
            double z = 0, weighted = 0;
            for (int c = 0; c < v; c++) {
                double e = Math.exp(x[c] - max);
                z += e;
                weighted += e * (x[c] - max);
            }
            entropySum += Math.log(z) - weighted / z;  // -sum p log p with p = e / z
            tokens++;
            meanLogit[side] += sum / v;
            sideTokens[side]++;
            if (side == 0 && argmax == ids[positions[s] + 1]) correct++;
        }
        metrics.add("entropy", tokens == 0 ? 0 : entropySum / tokens);
        numTokens.run();
        metrics.add("logits/chosen", sideTokens[0] == 0 ? 0 : meanLogit[0] / sideTokens[0]);
        metrics.add("logits/rejected", sideTokens[1] == 0 ? 0 : meanLogit[1] / sideTokens[1]);
        metrics.add("mean_token_accuracy", sideTokens[0] == 0 ? 0 : (double) correct / sideTokens[0]);
        double chosenReward = 0, rejectedReward = 0, accuracy = 0, chosenLogps = 0, rejectedLogps = 0;
        for (int i = 0; i < b; i++) {
            double rc = beta * ((double) logps[i] - ref[i]), rr = beta * ((double) logps[b + i] - ref[b + i]);
            chosenReward += rc;
            rejectedReward += rr;
            if (rc > rr) accuracy++;
            chosenLogps += logps[i];
            rejectedLogps += logps[b + i];
        }
        metrics.add("rewards/chosen", chosenReward / b);
        metrics.add("rewards/rejected", rejectedReward / b);
        metrics.add("rewards/accuracies", accuracy / b);
        metrics.add("rewards/margins", (chosenReward - rejectedReward) / b);
        metrics.add("logps/chosen", chosenLogps / b);
        metrics.add("logps/rejected", rejectedLogps / b);
    }
}
