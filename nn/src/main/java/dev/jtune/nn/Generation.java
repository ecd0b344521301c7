package dev.jtune.nn;

import dev.jtune.core.Generator;
import dev.jtune.core.MemoryScope;
import dev.jtune.core.Tensor;
import dev.jtune.core.autograd.GradMode;
import java.util.Arrays;

/**
 * Autoregressive decoding for any {@link PreTrainedCausalLM}, as {@code model.generate(...)}: batched prompts are
 * left-padded, positions come from the attention mask, each step feeds one token per row through the KV cache
 * (or the whole sequence without it), and finished rows are filled with the pad token.
 */
public final class Generation {

    /** Called with (row, token id) for every generated token, in order, for streaming. */
    @FunctionalInterface
    public interface TokenListener {
        void onToken(int row, int tokenId);
    }

    private Generation() {}

    /** Generates for one prompt; returns only the new tokens. */
    public static int[] generate(PreTrainedCausalLM model, int[] prompt, GenerationConfig config, TokenListener listener) {
        return generate(model, new int[][] {prompt}, config, listener)[0];
    }

    /** Generates for a batch of prompts (of any lengths); returns each row's new tokens, without padding. */
    public static int[][] generate(PreTrainedCausalLM model, int[][] prompts, GenerationConfig config,
                                   TokenListener listener) {
        int b = prompts.length, longest = 0;
        for (int[] p : prompts) {
            if (p.length == 0) throw new IllegalArgumentException("generate: empty prompt (add a bos token)");
            longest = Math.max(longest, p.length);
        }
        int total = longest + config.maxNewTokens();
        boolean padded = false;
        for (int[] p : prompts) padded |= p.length < longest;
        if (total > model.config().maxPositions()) {
            throw new IllegalArgumentException("generate: prompt of " + longest + " + " + config.maxNewTokens()
                    + " new tokens exceeds the model's " + model.config().maxPositions() + " positions");
        }
        int vocab = model.config().vocabSize();
        int pad = config.padTokenId() >= 0 ? config.padTokenId() : Math.max(config.eosTokenId(), 0);
        long[] ids = new long[b * total], mask = new long[b * total];  // left-padded rows
        for (int r = 0; r < b; r++) {
            int start = longest - prompts[r].length;
            Arrays.fill(ids, r * total, r * total + start, pad);
            for (int i = 0; i < prompts[r].length; i++) {
                if (prompts[r][i] < 0 || prompts[r][i] >= vocab) {
                    throw new IllegalArgumentException("generate: prompt " + r + " has token id " + prompts[r][i]
                            + " at position " + i + ", outside the vocabulary of " + vocab);
                }
                ids[r * total + start + i] = prompts[r][i];
                mask[r * total + start + i] = 1;
            }
        }
        Generator rng = new Generator(config.seed());
        int[][] generated = new int[b][config.maxNewTokens()];
        int[] produced = new int[b];
        boolean[] finished = new boolean[b];
        boolean wasTraining = model.isTraining();
        model.eval();
        // The call's memory scope holds the KV cache; each step's own scope frees its activations and logits.
        try (var scope = GradMode.noGrad(); var call = MemoryScope.open()) {
            KVCache cache = config.useCache() ? model.newCache().reserve(total) : null;
            int fed = 0;  // positions already in the cache
            for (int len = longest; len < total; len++) {
                int from = cache == null ? 0 : fed;
                float[] all;                                                               // (B * V)
                try (var step = MemoryScope.open()) {
                    Tensor stepIds = slice(ids, b, total, from, len);
                    Tensor stepMask = padded ? slice(mask, b, total, 0, len) : null;  // all ones: no mask to apply
                    Tensor positions = positions(mask, b, total, from, len);
                    all = model.logits(stepIds, stepMask, positions, cache, 1).toFloatArray();  // (B, 1, V)
                }
                fed = len;
                boolean allDone = true;
                for (int r = 0; r < b; r++) {
                    int next = finished[r] ? pad : pick(Arrays.copyOfRange(all, r * vocab, (r + 1) * vocab), ids,
                            r * total, len, config, rng);
                    ids[r * total + len] = next;
                    mask[r * total + len] = 1;
                    if (!finished[r]) {
                        generated[r][produced[r]++] = next;
                        if (listener != null) listener.onToken(r, next);
                        finished[r] = next == config.eosTokenId();
                    }
                    allDone &= finished[r];
                }
                if (allDone) break;
            }
        } finally {
            model.train(wasTraining);
        }
        int[][] out = new int[b][];
        for (int r = 0; r < b; r++) out[r] = Arrays.copyOf(generated[r], produced[r]);
        return out;
    }

    private static int pick(float[] logits, long[] ids, int rowStart, int len, GenerationConfig config, Generator rng) {
        int[] seen = new int[len];
        for (int i = 0; i < len; i++) seen[i] = (int) ids[rowStart + i];
        LogitsProcessing.repetitionPenalty(logits, seen, len, config.repetitionPenalty());
        if (!config.doSample()) return LogitsProcessing.argmax(logits);
        LogitsProcessing.temperature(logits, config.temperature());
        LogitsProcessing.topK(logits, config.topK());
        LogitsProcessing.topP(logits, config.topP());
        double[] probs = LogitsProcessing.softmax(logits);
        double u = rng.nextDouble(), cumulative = 0;
        for (int i = 0; i < probs.length; i++) {
            cumulative += probs[i];
            if (u < cumulative) return i;
        }
        return LogitsProcessing.argmax(logits);
    }

    /** Columns {@code [from, to)} of a row-major {@code [b, total]} array, as an I64 tensor. */
    private static Tensor slice(long[] a, int b, int total, int from, int to) {
        long[] out = new long[b * (to - from)];
        for (int r = 0; r < b; r++) System.arraycopy(a, r * total + from, out, r * (to - from), to - from);
        return Tensor.ofLongs(out, b, to - from);
    }

    /** transformers' positions for left padding: {@code cumsum(mask) - 1}, and 1 at padding. */
    private static Tensor positions(long[] mask, int b, int total, int from, int to) {
        long[] out = new long[b * (to - from)];
        for (int r = 0; r < b; r++) {
            long count = 0;
            for (int i = 0; i < to; i++) {
                long m = mask[r * total + i];
                count += m;
                if (i >= from) out[r * (to - from) + i - from] = m == 0 ? 1 : count - 1;
            }
        }
        return Tensor.ofLongs(out, b, to - from);
    }
}
