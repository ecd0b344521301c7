package dev.jtune.train;

import dev.jtune.core.Tensor;
import dev.jtune.nn.CausalLMLoss;
import java.util.Arrays;
import java.util.Map;

/**
 * Classification by a causal LM's next-token scores, as a metric on top of the {@link Evaluation} loop. Each row is a
 * prompt followed by the first token of its label word ({@code "Tweet: ...\nSentiment:"} + {@code " positive"}),
 * labelled only at that token ({@link #row}); the predicted class is the label word whose first token has the highest
 * logit at the prompt's last position, so an evaluation computes the output head there alone
 * ({@link LabelledPositionMetrics}). It reports {@code accuracy} and {@code macro_recall} (the mean over the
 * classes present of each class's recall, as sklearn's {@code recall_score(average="macro")}).
 */
public final class LabelWordAccuracy implements LabelledPositionMetrics {

    private final int[] labelTokenIds;
    private final long[] hits;
    private final long[] support;

    /** @param labelTokenIds the first token of each class's label word, in class order (distinct) */
    public LabelWordAccuracy(int[] labelTokenIds) {
        if (Arrays.stream(labelTokenIds).distinct().count() != labelTokenIds.length) {
            throw new IllegalArgumentException("LabelWordAccuracy: label tokens " + Arrays.toString(labelTokenIds)
                    + " are not distinct, so their logits cannot tell the classes apart");
        }
        this.labelTokenIds = labelTokenIds.clone();
        hits = new long[labelTokenIds.length];
        support = new long[labelTokenIds.length];
    }

    /**
     * One evaluation row: {@code input_ids} the prompt (its last {@code maxLength - 1} tokens) then the label token,
     * {@code labels} -100 everywhere but at the label token.
     */
    public static Map<String, Object> row(int[] prompt, int labelTokenId, int maxLength) {
        int keep = Math.min(prompt.length, maxLength - 1);
        int[] ids = Arrays.copyOfRange(prompt, prompt.length - keep, prompt.length + 1);
        ids[keep] = labelTokenId;
        int[] labels = new int[keep + 1];
        Arrays.fill(labels, CausalLMLoss.IGNORE_INDEX);
        labels[keep] = labelTokenId;
        return Map.of("input_ids", ids, "labels", labels);
    }

    @Override
    public void updateAtLabels(Tensor logits, Tensor targets) {
        long[] labels = targets.toLongArray();  // (S)
        for (int s = 0; s < labels.length; s++) {
            int truth = classOf(labels[s]);
            Tensor scores = logits.narrow(0, s, 1).reshape(-1);  // (V) at the position before the label
            int predicted = 0;
            for (int c = 1; c < labelTokenIds.length; c++) {
                if (scores.get(labelTokenIds[c]) > scores.get(labelTokenIds[predicted])) predicted = c;
            }
            support[truth]++;
            if (predicted == truth) hits[truth]++;
        }
    }

    private int classOf(long token) {
        for (int c = 0; c < labelTokenIds.length; c++) if (labelTokenIds[c] == token) return c;
        throw new IllegalArgumentException("LabelWordAccuracy: label " + token + " is none of the label tokens "
                + Arrays.toString(labelTokenIds));
    }

    @Override
    public Map<String, Double> compute() {
        long correct = Arrays.stream(hits).sum(), total = Arrays.stream(support).sum();
        double recallSum = 0;
        int present = 0;
        for (int c = 0; c < hits.length; c++) {
            if (support[c] == 0) continue;
            recallSum += (double) hits[c] / support[c];
            present++;
        }
        return Map.of("accuracy", total == 0 ? Double.NaN : (double) correct / total,
                "macro_recall", present == 0 ? Double.NaN : recallSum / present);
    }
}
