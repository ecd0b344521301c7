package dev.jtune.nn;

import java.util.Arrays;

/** The per-step logits transforms of generation, in transformers' order: repetition penalty, temperature, top-k, top-p. */
final class LogitsProcessing {

    private LogitsProcessing() {}

    /** CTRL's penalty: a seen token's logit is divided by {@code penalty} if positive, multiplied if negative. */
    static void repetitionPenalty(float[] logits, int[] seen, int seenCount, double penalty) {
        if (penalty == 1) return;
        boolean[] done = new boolean[logits.length];
        for (int i = 0; i < seenCount; i++) {
            int id = seen[i];
            if (id < 0 || id >= logits.length || done[id]) continue;
            done[id] = true;
            logits[id] = (float) (logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty);
        }
    }

    /** Divides by the temperature. */
    static void temperature(float[] logits, double t) {
        if (t == 1) return;
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (logits[i] / t);
    }

    /** Sets every logit below the k-th largest to -inf. */
    static void topK(float[] logits, int k) {
        if (k <= 0 || k >= logits.length) return;
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float threshold = sorted[sorted.length - k];
        for (int i = 0; i < logits.length; i++) if (logits[i] < threshold) logits[i] = Float.NEGATIVE_INFINITY;
    }

    /**
     * Keeps the most likely tokens whose cumulative probability first reaches {@code p} (at least one), others -inf;
     * as transformers' TopPLogitsWarper, which removes tokens whose ascending cumulative probability is {@code <= 1-p}.
     */
    static void topP(float[] logits, double p) {
        if (p >= 1) return;
        double[] probs = softmax(logits);
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(probs[a], probs[b]));  // ascending
        double cumulative = 0;
        for (int r = 0; r < order.length - 1; r++) {
            cumulative += probs[order[r]];
            if (cumulative <= 1 - p) logits[order[r]] = Float.NEGATIVE_INFINITY;
            else break;
        }
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - max);
        for (int i = 0; i < p.length; i++) p[i] /= sum;
        return p;
    }

    /** The index of the largest logit (the first on ties). */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }
}
