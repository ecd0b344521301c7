package dev.jtune.train.data;

import dev.jtune.core.Tensor;
import dev.jtune.nn.CausalLMLoss;
import dev.jtune.nn.PreTrainedCausalLM;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code DataCollatorForLanguageModeling(mlm=False)}: pads {@code input_ids} (and
 * {@code attention_mask}) on the right to the longest row of the batch, rounded up to {@code padToMultipleOf}, and
 * sets {@code labels} to the input ids with -100 wherever {@code attention_mask} is 0.
 *
 * <p>Labels are masked by position, not by token id: when the pad token is also the end-of-text token, a real
 * end-of-text (mask 1) is still learned. Rows without an {@code attention_mask} count every token as real. A row
 * that brings its own {@code labels} keeps them, padded with -100 (where transformers' collator would overwrite
 * them, as its {@code DataCollatorForSeq2Seq} does not): a pre-tokenized dataset decides what is predicted.
 */
public final class DataCollatorForLanguageModeling implements DataCollator {

    private final long padTokenId;
    private final int padToMultipleOf;

    /** Pads with the model's {@code pad_token_id}, or 0 without one (padded positions are masked either way). */
    public static DataCollatorForLanguageModeling forModel(PreTrainedCausalLM model) {
        return new DataCollatorForLanguageModeling(Math.max(0, model.config().padTokenId()));
    }

    /** Pads with {@code padTokenId} to the longest row. */
    public DataCollatorForLanguageModeling(long padTokenId) {
        this(padTokenId, 1);
    }

    /** Pads with {@code padTokenId} to the longest row rounded up to a multiple of {@code padToMultipleOf}. */
    public DataCollatorForLanguageModeling(long padTokenId, int padToMultipleOf) {
        if (padToMultipleOf < 1) throw new IllegalArgumentException("pad_to_multiple_of must be >= 1, got " + padToMultipleOf);
        this.padTokenId = padTokenId;
        this.padToMultipleOf = padToMultipleOf;
    }

    @Override
    public ModelInputs apply(List<Map<String, Object>> examples) {
        if (examples.isEmpty()) throw new IllegalArgumentException("DataCollatorForLanguageModeling: empty batch");
        int b = examples.size();
        long[][] ids = new long[b][];
        long[][] masks = new long[b][];
        long[][] given = new long[b][];  // a row's own labels, or null
        int longest = 0;
        for (int i = 0; i < b; i++) {
            Map<String, Object> row = examples.get(i);
            if (!row.containsKey("input_ids")) {
                throw new IllegalArgumentException("DataCollatorForLanguageModeling: example " + i
                        + " has no 'input_ids' column (columns " + row.keySet() + ")");
            }
            ids[i] = Sequences.toLongs(row.get("input_ids"), "input_ids", i);
            masks[i] = row.get("attention_mask") == null ? filled(ids[i].length, 1)
                    : Sequences.toLongs(row.get("attention_mask"), "attention_mask", i);
            if (masks[i].length != ids[i].length) {
                throw new IllegalArgumentException("DataCollatorForLanguageModeling: example " + i + " has "
                        + ids[i].length + " input_ids but " + masks[i].length + " attention_mask values");
            }
            if (row.get("labels") != null) {
                given[i] = Sequences.toLongs(row.get("labels"), "labels", i);
                if (given[i].length != ids[i].length) {
                    throw new IllegalArgumentException("DataCollatorForLanguageModeling: example " + i + " has "
                            + ids[i].length + " input_ids but " + given[i].length + " labels");
                }
            }
            longest = Math.max(longest, ids[i].length);
        }
        int t = (longest + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
        long[] inputIds = new long[b * t], attention = new long[b * t], labels = new long[b * t];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < t; j++) {
                boolean present = j < ids[i].length;
                long id = present ? ids[i][j] : padTokenId;
                long mask = present ? masks[i][j] : 0;
                inputIds[i * t + j] = id;
                attention[i * t + j] = mask;
                labels[i * t + j] = mask == 0 ? CausalLMLoss.IGNORE_INDEX : given[i] != null ? given[i][j] : id;
            }
        }
        return new ModelInputs(Tensor.ofLongs(inputIds, b, t), Tensor.ofLongs(attention, b, t), Tensor.ofLongs(labels, b, t));
    }

    private static long[] filled(int n, long value) {
        long[] a = new long[n];
        Arrays.fill(a, value);
        return a;
    }
}
