package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.nn.CausalLMLoss;
import dev.jtune.train.data.ModelInputs;
import java.util.Map;

/** Next-token accuracy: how often the argmax of position t's logits is label t+1, over labels != -100. */
public final class TokenAccuracy implements StreamingMetrics {

    private long correct;
    private long total;

    @Override
    public void update(Tensor logits, ModelInputs batch) {
        int t = logits.size(1);
        long[] predicted = logits.narrow(1, 0, t - 1).argmax(-1, false).contiguous().toLongArray();  // (B, T-1)
        long[] labels = batch.labels().toLongArray();                                                // (B, T)
        for (int i = 0; i < predicted.length; i++) {
            long label = labels[i / (t - 1) * t + i % (t - 1) + 1];
            if (label == CausalLMLoss.IGNORE_INDEX) continue;
            total++;
            if (predicted[i] == label) correct++;
        }
    }

    @Override
    public Map<String, Double> compute() {
        return Map.of("accuracy", total == 0 ? Double.NaN : (double) correct / total);
    }
}
