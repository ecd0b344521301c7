package dev.jtune.nn;

import dev.jtune.core.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Sequences of different lengths as one right-padded batch: pad id 0 with attention mask 0 and label -100, so a
 * causal LM's logits and loss at the real tokens are those of each sequence alone.
 *
 * @param inputIds      [B, T] with T the longest sequence
 * @param attentionMask [B, T]
 * @param labels        [B, T] the ids, -100 at padding
 */
record PaddedBatch(Tensor inputIds, Tensor attentionMask, Tensor labels) {

    static PaddedBatch of(List<int[]> rows) {
        int b = rows.size(), t = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        long[] ids = new long[b * t], mask = new long[b * t], labels = new long[b * t];
        Arrays.fill(labels, CausalLMLoss.IGNORE_INDEX);
        for (int r = 0; r < b; r++) {
            int[] s = rows.get(r);
            for (int i = 0; i < s.length; i++) {
                ids[r * t + i] = s[i];
                mask[r * t + i] = 1;
                labels[r * t + i] = s[i];
            }
        }
        return new PaddedBatch(Tensor.ofLongs(ids, b, t), Tensor.ofLongs(mask, b, t), Tensor.ofLongs(labels, b, t));
    }
}
