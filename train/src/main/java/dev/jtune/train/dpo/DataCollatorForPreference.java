package dev.jtune.train.dpo;

import dev.jtune.core.Tensor;
import dev.jtune.train.data.DataCollator;
import dev.jtune.train.data.ModelInputs;
import dev.jtune.train.data.Sequences;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TRL's DPO {@code DataCollatorForPreference}: rows of {@code prompt_ids}, {@code chosen_ids}, {@code rejected_ids}
 * become one batch {@code [prompt+chosen x B, prompt+rejected x B]}, each row truncated to {@code max_length}
 * (keep_start or keep_end), right-padded with the pad id, with its attention mask and a {@code completion_mask} that
 * marks the completion tokens. The masks come from the lengths, never from {@code ids != pad}: with pad = EOS the
 * completion's EOS is still scored. Precomputed {@code ref_chosen_logps} / {@code ref_rejected_logps} ride along.
 */
public final class DataCollatorForPreference implements DataCollator {

    private final long padTokenId;
    private final Integer maxLength;
    private final boolean keepEnd;
    private final int padToMultipleOf;

    /**
     * @param maxLength      null for no truncation
     * @param truncationMode keep_start or keep_end
     */
    public DataCollatorForPreference(long padTokenId, Integer maxLength, String truncationMode, int padToMultipleOf) {
        this.padTokenId = padTokenId;
        this.maxLength = maxLength;
        this.keepEnd = truncationMode.equals("keep_end");
        this.padToMultipleOf = padToMultipleOf;
    }

    @Override
    public ModelInputs apply(List<Map<String, Object>> examples) {
        int b = examples.size();
        if (b == 0) throw new IllegalArgumentException("DataCollatorForPreference: empty batch");
        long[][] ids = new long[2 * b][], completion = new long[2 * b][];
        int longest = 0;
        for (int i = 0; i < b; i++) {
            Map<String, Object> example = examples.get(i);
            long[] prompt = Sequences.toLongs(example.get("prompt_ids"), "prompt_ids", i);
            for (int side = 0; side < 2; side++) {
                String column = side == 0 ? "chosen_ids" : "rejected_ids";
                long[] answer = Sequences.toLongs(example.get(column), column, i);
                long[] row = new long[prompt.length + answer.length], mask = new long[row.length];
                System.arraycopy(prompt, 0, row, 0, prompt.length);
                System.arraycopy(answer, 0, row, prompt.length, answer.length);
                java.util.Arrays.fill(mask, prompt.length, row.length, 1);
                int r = side * b + i;
                ids[r] = truncate(row);
                completion[r] = truncate(mask);
                longest = Math.max(longest, ids[r].length);
            }
        }
        int t = (longest + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
        long[] inputIds = new long[2 * b * t], attention = new long[2 * b * t], completionMask = new long[2 * b * t];
        for (int r = 0; r < 2 * b; r++) {
            for (int j = 0; j < t; j++) {
                boolean present = j < ids[r].length;
                inputIds[r * t + j] = present ? ids[r][j] : padTokenId;
                attention[r * t + j] = present ? 1 : 0;
                completionMask[r * t + j] = present ? completion[r][j] : 0;
            }
        }
        Map<String, Tensor> extras = new LinkedHashMap<>();
        extras.put("completion_mask", Tensor.ofLongs(completionMask, 2 * b, t));
        if (examples.getFirst().get("ref_chosen_logps") != null) {
            extras.put("ref_chosen_logps", column(examples, "ref_chosen_logps"));
            extras.put("ref_rejected_logps", column(examples, "ref_rejected_logps"));
        }
        return new ModelInputs(Tensor.ofLongs(inputIds, 2 * b, t), Tensor.ofLongs(attention, 2 * b, t), null, extras);
    }

    private long[] truncate(long[] row) {
        if (maxLength == null || row.length <= maxLength) return row;
        return keepEnd ? java.util.Arrays.copyOfRange(row, row.length - maxLength, row.length)
                : java.util.Arrays.copyOf(row, maxLength);
    }

    private static Tensor column(List<Map<String, Object>> examples, String name) {
        float[] values = new float[examples.size()];
        for (int i = 0; i < values.length; i++) {
            if (!(examples.get(i).get(name) instanceof Number n)) {
                throw new IllegalArgumentException("example " + i + ": '" + name + "' must be a number, got " + examples.get(i).get(name));
            }
            values[i] = n.floatValue();
        }
        return Tensor.of(values, values.length);
    }
}
