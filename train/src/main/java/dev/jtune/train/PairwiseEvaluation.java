package dev.jtune.train;

import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import dev.jtune.nn.Module;
import dev.jtune.train.data.DataLoader;
import dev.jtune.train.data.ModelInputs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The evaluation loop of the preference objectives (reward model, DPO), as transformers' evaluation loop and TRL's
 * {@code log} make it: {@code loss} is the mean of the batch losses weighted by their rows; the metrics each batch
 * reports are averaged over the batches. No gradient, the model in eval mode.
 */
public final class PairwiseEvaluation {

    private PairwiseEvaluation() {}

    /**
     * @param loss a batch's mean loss, reporting its metrics into the log
     * @return the loss and metrics; rows counted as pairs (half the collated rows)
     */
    @SuppressWarnings("try")  // the no-grad scope is used for its effect
    public static TrainingObjective.Evaluated run(Module model, DataLoader loader,
                                                  BiFunction<ModelInputs, MetricLog, Tensor> loss) {
        boolean wasTraining = model.isTraining();
        model.eval();
        MetricLog metrics = new MetricLog();
        double weightedLoss = 0;
        int rows = 0;
        int[] order = loader.order(0);
        try (var noGrad = GradMode.noGrad()) {
            for (int i = 0; i < loader.size(); i++) {
                ModelInputs batch = loader.batch(order, i);
                try (MemoryScope step = MemoryScope.open()) {
                    weightedLoss += loss.apply(batch, metrics).item() * batch.batchSize();
                }
                rows += batch.batchSize();
            }
        } finally {
            model.train(wasTraining);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("loss", weightedLoss / rows);
        out.putAll(metrics.drain());
        return new TrainingObjective.Evaluated(out, rows / 2, loader.size());
    }
}
