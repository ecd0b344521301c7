package dev.jtune.train;

import dev.jtune.core.Tensor;
import java.util.List;
import java.util.Map;

/**
 * What {@link Trainer#predict} returns, one tensor per batch (batches may differ in length T).
 *
 * @param predictions per batch, {@code [B, T]} the argmax token at each position
 * @param labelIds    per batch, {@code [B, T]} the labels
 * @param metrics     {@code test_loss} and the {@code test_}-prefixed metrics
 */
public record PredictionOutput(List<Tensor> predictions, List<Tensor> labelIds, Map<String, Double> metrics) {}
