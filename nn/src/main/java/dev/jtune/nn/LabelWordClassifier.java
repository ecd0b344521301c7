package dev.jtune.nn;

import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Classification with a causal LM by next-token scores: after each prompt, the predicted class is the one whose label
 * word's first token has the highest logit (e.g. " negative" / " neutral" / " positive" after {@code "...Sentiment:"}).
 */
public final class LabelWordClassifier {

    private LabelWordClassifier() {}

    /**
     * @param prompts       token ids of each prompt (truncated from the left to the model's positions)
     * @param labelTokenIds the first token of each class's label word, in class order
     * @param progress      called with the number of prompts done after each batch (may be null)
     * @return the predicted class index of each prompt
     */
    public static int[] predict(PreTrainedCausalLM model, List<int[]> prompts, int[] labelTokenIds, int batchSize,
                                IntConsumer progress) {
        int maxLen = model.config().maxPositions();
        int[] predictions = new int[prompts.size()];
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var scope = GradMode.noGrad()) {
            for (int start = 0; start < prompts.size(); start += batchSize) {
                int b = Math.min(batchSize, prompts.size() - start);
                int[][] rows = new int[b][];
                for (int r = 0; r < b; r++) {
                    int[] p = prompts.get(start + r);
                    rows[r] = p.length > maxLen ? Arrays.copyOfRange(p, p.length - maxLen, p.length) : p;
                }
                PaddedBatch padded = PaddedBatch.of(Arrays.asList(rows));  // right padding: real logits unaffected
                Tensor logits = model.logits(padded.inputIds(), padded.attentionMask(), null, null);
                for (int r = 0; r < b; r++) {
                    Tensor last = logits.narrow(0, r, 1).narrow(1, rows[r].length - 1, 1).reshape(-1);  // (V)
                    int best = 0;
                    for (int c = 1; c < labelTokenIds.length; c++) {
                        if (last.get(labelTokenIds[c]) > last.get(labelTokenIds[best])) best = c;
                    }
                    predictions[start + r] = best;
                }
                if (progress != null) progress.accept(start + b);
            }
        } finally {
            model.train(wasTraining);
        }
        return predictions;
    }

    /** The fraction of predictions equal to the labels. */
    public static double accuracy(int[] predictions, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) if (predictions[i] == labels[i]) correct++;
        return labels.length == 0 ? Double.NaN : (double) correct / labels.length;
    }

    /** The mean over classes present in the labels of each class's recall (sklearn's macro recall). */
    public static double macroRecall(int[] predictions, int[] labels, int classes) {
        int[] hits = new int[classes], support = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            support[labels[i]]++;
            if (predictions[i] == labels[i]) hits[labels[i]]++;
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            if (support[c] == 0) continue;
            sum += (double) hits[c] / support[c];
            present++;
        }
        return present == 0 ? Double.NaN : sum / present;
    }
}
