package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.CausalLMLoss;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.ModelInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * jtune's one evaluation loop, behind {@link Trainer#evaluate}, {@link Trainer#predict} and {@code ./jtune evaluate}:
 * batches in dataset order, no gradient, the model in eval mode, metrics fed one batch at a time.
 *
 * <p>The loss is token-weighted: the summed cross-entropy of every predicted token (shifted labels != -100) of every
 * batch, divided by how many there are, so it is the exact mean over the dataset whatever the batch size.
 * transformers' {@code eval_loss} differs in two ways: it averages each batch's mean loss weighted by rows, and its
 * batch mean divides by the labels counted before the shift (one more per row).
 */
public final class Evaluation {

    /**
     * @param lossSum     the summed cross-entropy (nats) over all predicted tokens
     * @param tokens      how many tokens were predicted
     * @param rows        rows evaluated
     * @param batches     batches run
     * @param predictions per batch, {@code [B, T]} the argmax token at each position (empty unless kept)
     * @param labels      per batch, {@code [B, T]} the labels (empty unless kept)
     */
    public record Result(double lossSum, long tokens, int rows, int batches, List<Tensor> predictions,
                         List<Tensor> labels) {

        /** The mean loss per predicted token ({@code eval_loss}). */
        public double loss() {
            return lossSum / tokens;
        }

        public double perplexity() {
            return Math.exp(loss());
        }
    }

    private Evaluation() {}

    /**
     * Runs {@code model} over every batch of {@code loader}.
     *
     * @param metrics         fed each batch's logits (may be null)
     * @param keepPredictions keep each batch's argmax predictions and labels (for {@link Trainer#predict})
     * @param progress        told the number of rows done after each batch (may be null)
     * @throws IllegalArgumentException when no row has a token to predict (the loss would be 0/0)
     */
    @SuppressWarnings("try")  // the no-grad scope is used for its effect
    public static Result run(PreTrainedCausalLM model, DataLoader loader, StreamingMetrics metrics,
                             boolean keepPredictions, IntConsumer progress) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long tokens = 0;
        int rows = 0;
        List<Tensor> predictions = new ArrayList<>(), labels = new ArrayList<>();
        int[] order = loader.order(0);
        try (var noGrad = GradMode.noGrad()) {
            for (int b = 0; b < loader.size(); b++) {
                ModelInputs batch = loader.batch(order, b);
                try (MemoryScope step = MemoryScope.open()) {  // the batch's activations go back to the pool
                    if (metrics == null && !keepPredictions) {  // the loss alone: the head only where there is a label
                        lossSum += model.lossSum(batch.inputIds(), batch.attentionMask(), batch.labels()).item();
                    } else if (metrics instanceof LabelledPositionMetrics atLabels && !keepPredictions) {
                        Tensor hidden = model.hiddenStates(batch.inputIds(), batch.attentionMask(), null, null);
                        CausalLMLoss.AtLabels scored = CausalLMLoss.atLabels(hidden, batch.labels(), model::outputHead);
                        lossSum += scored.lossSum().item();
                        atLabels.updateAtLabels(scored.logits(), scored.targets());  // (S, V), (S)
                    } else {
                        Tensor logits = model.logits(batch.inputIds(), batch.attentionMask(), null, null);  // (B, T, V)
                        lossSum += CausalLMLoss.sum(logits, batch.labels()).item();
                        if (metrics != null) metrics.update(logits, batch);
                        if (keepPredictions) predictions.add(step.keep(logits.argmax(-1, false)));
                    }
                }
                if (keepPredictions) labels.add(batch.labels());
                tokens += batch.numItems();
                rows += batch.batchSize();
                if (progress != null) progress.accept(rows);
            }
        } finally {
            model.train(wasTraining);
        }
        if (tokens == 0) {
            throw new IllegalArgumentException("nothing to evaluate: the " + loader.numExamples() + " rows have no token "
                    + "to predict (a row needs at least two tokens)");
        }
        return new Result(lossSum, tokens, rows, loader.size(), predictions, labels);
    }
}
