package dev.jtune.train;

import java.util.Map;

/**
 * What {@link Trainer#train} returns.
 *
 * @param globalStep   optimizer steps done
 * @param trainingLoss the mean step loss over all steps
 * @param metrics      {@code train_runtime}, {@code train_samples_per_second}, {@code train_loss}, ...
 */
public record TrainOutput(int globalStep, double trainingLoss, Map<String, Object> metrics) {}
