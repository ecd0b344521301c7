package dev.jtune.train;

import java.util.Map;

/**
 * Tracks {@code metric_for_best_model} across evaluations, as transformers' {@code _determine_best_metric}: records
 * the best value and its step in the trainer state; the checkpoint saved at that step becomes the best model.
 */
final class BestMetric {

    private final TrainingArguments args;

    BestMetric(TrainingArguments args) {
        this.args = args;
    }

    /** Updates {@code state}'s best metric and step with this evaluation's {@code metrics} (nothing if no metric is set). */
    void update(TrainerState state, Map<String, Double> metrics) {
        String name = args.metricForBestModel();
        if (name == null) return;
        String key = name.startsWith("eval_") ? name : "eval_" + name;
        Double value = metrics.get(key);
        if (value == null) {
            throw new IllegalArgumentException("metric_for_best_model '" + name + "' is not among the evaluation metrics "
                    + metrics.keySet());
        }
        boolean better = state.bestMetric == null || (args.greaterIsBetter() ? value > state.bestMetric : value < state.bestMetric);
        if (better) {
            state.bestMetric = value;
            state.bestGlobalStep = state.globalStep;
        }
    }
}
