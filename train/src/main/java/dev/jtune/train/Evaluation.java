package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.CausalLMLoss;
import dev.jtune.nn.PreTrainedCausalLM;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.ModelInputs;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation loop shared by {@link Trainer#evaluate} and {@link Trainer#predict}: batches in dataset order, no
 * gradient, the model in eval mode, metrics fed one batch at a time.
 *
 * <p>The loss is transformers' {@code eval_loss}: each batch's mean token loss, averaged over rows (a batch of B rows
 * counts B times). Batches without any predicted token are left out of it.
 */
final class Evaluation {

    /** The loss, rows seen and batches run; predictions and labels per batch when asked for. */
    record Result(double loss, int samples, int batches, List<Tensor> predictions, List<Tensor> labels) {}

    private Evaluation() {}

    @SuppressWarnings("try")  // the no-grad scope is used for its effect
    static Result run(PreTrainedCausalLM model, DataLoader loader, StreamingMetrics metrics, boolean keepPredictions) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double weightedLoss = 0;
        int weight = 0;
        List<Tensor> predictions = new ArrayList<>(), labels = new ArrayList<>();
        int[] order = loader.order(0);
        try (var noGrad = GradMode.noGrad()) {
            for (int b = 0; b < loader.size(); b++) {
                ModelInputs batch = loader.batch(order, b);
                Tensor logits = model.logits(batch.inputIds(), batch.attentionMask(), null, null);  // (B, T, V)
                if (batch.numItems() > 0) {
                    weightedLoss += CausalLMLoss.mean(logits, batch.labels()).item() * batch.batchSize();
                    weight += batch.batchSize();
                }
                if (metrics != null) metrics.update(logits, batch);
                if (keepPredictions) {
                    predictions.add(logits.argmax(-1, false));
                    labels.add(batch.labels());
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new Result(weight == 0 ? Double.NaN : weightedLoss / weight, loader.numExamples(), loader.size(),
                predictions, labels);
    }
}
