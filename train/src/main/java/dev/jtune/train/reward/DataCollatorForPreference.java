package dev.jtune.train.reward;

import dev.jtune.core.Tensor;
import dev.jtune.train.data.DataCollator;
import dev.jtune.train.data.ModelInputs;
import dev.jtune.train.data.Sequences;
import java.util.List;
import java.util.Map;

/**
 * TRL's reward-model {@code DataCollatorForPreference}: rows of {@code chosen_ids} and {@code rejected_ids} (and an
 * optional {@code margin}) become one batch {@code [chosen_1..B, rejected_1..B]} right-padded with the pad id to the
 * longest row (rounded up to {@code padToMultipleOf}), with its attention mask, and the margins as the extra column
 * {@code margin [B]}.
 */
public final class DataCollatorForPreference implements DataCollator {

    private final long padTokenId;
    private final int padToMultipleOf;

    public DataCollatorForPreference(long padTokenId, int padToMultipleOf) {
        if (padToMultipleOf < 1) throw new IllegalArgumentException("pad_to_multiple_of must be >= 1, got " + padToMultipleOf);
        this.padTokenId = padTokenId;
        this.padToMultipleOf = padToMultipleOf;
    }

    @Override
    public ModelInputs apply(List<Map<String, Object>> examples) {
        int b = examples.size();
        if (b == 0) throw new IllegalArgumentException("DataCollatorForPreference: empty batch");
        long[][] rows = new long[2 * b][];
        boolean hasMargin = examples.getFirst().get("margin") != null;
        float[] margins = new float[b];
        int longest = 0;
        for (int i = 0; i < b; i++) {
            Map<String, Object> example = examples.get(i);
            rows[i] = Sequences.toLongs(example.get("chosen_ids"), "chosen_ids", i);
            rows[b + i] = Sequences.toLongs(example.get("rejected_ids"), "rejected_ids", i);
            if (hasMargin) {
                if (!(example.get("margin") instanceof Number margin)) {
                    throw new IllegalArgumentException("example " + i + ": 'margin' must be a number, got "
                            + example.get("margin"));
                }
                margins[i] = margin.floatValue();
            }
            longest = Math.max(longest, Math.max(rows[i].length, rows[b + i].length));
        }
        int t = (longest + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
        long[] ids = new long[2 * b * t], mask = new long[2 * b * t];
        for (int r = 0; r < 2 * b; r++) {
            for (int j = 0; j < t; j++) {
                boolean present = j < rows[r].length;
                ids[r * t + j] = present ? rows[r][j] : padTokenId;
                mask[r * t + j] = present ? 1 : 0;
            }
        }
        Map<String, Tensor> extras = hasMargin ? Map.of("margin", Tensor.of(margins, b)) : Map.of();
        return new ModelInputs(Tensor.ofLongs(ids, 2 * b, t), Tensor.ofLongs(mask, 2 * b, t), null, extras);
    }
}
