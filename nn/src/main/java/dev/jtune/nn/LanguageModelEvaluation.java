package dev.jtune.nn;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Token-weighted evaluation of a causal LM over separate sequences: the mean cross-entropy over every predicted token
 * of every sequence (each sequence on its own: right padding with an attention mask never changes a real token's
 * logits), and its perplexity.
 */
public final class LanguageModelEvaluation {

    /**
     * @param lossSum the summed cross-entropy (nats) over all predicted tokens
     * @param tokens  how many tokens were predicted (each sequence of n tokens predicts n - 1)
     */
    public record Result(double lossSum, long tokens) {
        /** The mean loss per predicted token. */
        public double meanLoss() {
            return lossSum / tokens;
        }

        public double perplexity() {
            return Math.exp(meanLoss());
        }
    }

    private LanguageModelEvaluation() {}

    /**
     * Evaluates {@code sequences} (token ids, each truncated to the model's positions) in batches of similar length.
     *
     * @param progress called with the number of sequences done after each batch (may be null)
     */
    public static Result evaluate(PreTrainedCausalLM model, List<int[]> sequences, int batchSize, IntConsumer progress) {
        int maxLen = model.config().maxPositions();
        List<int[]> order = new ArrayList<>();
        for (int[] s : sequences) if (s.length >= 2) order.add(s.length > maxLen ? Arrays.copyOf(s, maxLen) : s);
        order.sort(Comparator.comparingInt(s -> s.length));
        double lossSum = 0;
        long tokens = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = GradMode.noGrad()) {
            for (int start = 0; start < order.size(); start += batchSize) {
                List<int[]> batch = order.subList(start, Math.min(order.size(), start + batchSize));
                PaddedBatch padded = PaddedBatch.of(batch);
                Tensor logits = model.logits(padded.inputIds(), padded.attentionMask(), null, null);
                lossSum += CausalLMLoss.sum(logits, padded.labels()).item();
                tokens += CausalLMLoss.count(padded.labels());
                if (progress != null) progress.accept(start + batch.size());
            }
        } finally {
            model.train(wasTraining);
        }
        return new Result(lossSum, tokens);
    }
}
