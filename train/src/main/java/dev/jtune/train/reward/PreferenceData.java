package dev.jtune.train.reward;

import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.train.data.Dataset;
import dev.jtune.train.data.PreferenceRows;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TRL's reward-model data preparation: rows with {@code chosen} and {@code rejected} text (and an optional
 * {@code prompt}, which is put in front of both; without one the prompt is implicit in the texts) get the EOS token
 * appended where it is missing and are tokenized; rows already tokenized ({@code chosen_ids}, {@code rejected_ids})
 * are taken as they are. An optional {@code margin} column is kept. Pairs with a side longer than {@code max_length}
 * are dropped, not truncated, and counted.
 */
public final class PreferenceData {

    private final Tokenizer tokenizer;
    private final String eosToken;
    private final Integer maxLength;
    private final int vocabSize;

    /**
     * @param tokenizer for text rows (may be null for token ids)
     * @param eosToken  the token appended to text completions; null for the tokenizer's
     * @param maxLength pairs with a longer side are dropped; null keeps all
     */
    public PreferenceData(Tokenizer tokenizer, String eosToken, Integer maxLength) {
        this(tokenizer, eosToken, maxLength, Integer.MAX_VALUE);
    }

    /** As above, refusing token ids of {@code vocabSize} or more (the model has no embedding row for them). */
    public PreferenceData(Tokenizer tokenizer, String eosToken, Integer maxLength, int vocabSize) {
        this.vocabSize = vocabSize;
        this.tokenizer = tokenizer;
        this.eosToken = eosToken != null ? eosToken : tokenizer == null ? null : tokenizer.eosToken();
        this.maxLength = maxLength;
        if (tokenizer != null && eosToken != null && tokenizer.tokenToId(eosToken) == null) {
            throw new IllegalArgumentException("eos_token '" + eosToken + "' is not in the tokenizer's vocabulary");
        }
    }

    /**
     * @param kept      pairs left
     * @param dropped   pairs longer than {@code max_length}
     * @param maxLength the limit, or null
     */
    public record Report(String split, int kept, int dropped, Integer maxLength) {
        @Override
        public String toString() {
            return split + ": " + kept + " preference pairs" + (dropped == 0 ? ""
                    : ", " + dropped + " dropped for a side longer than max_length " + maxLength);
        }
    }

    /** The prepared rows ({@code chosen_ids}, {@code rejected_ids}, maybe {@code margin}) and what was done. */
    public record Prepared(Dataset dataset, Report report) {}

    /** Prepares {@code dataset}; errors name the split, row and column. */
    public Prepared prepare(Dataset dataset, String split) {
        List<String> columns = dataset.columnNames();
        boolean tokenized = columns.contains("chosen_ids") && columns.contains("rejected_ids");
        if (!tokenized) {
            PreferenceRows.requireColumns(columns, List.of("chosen", "rejected"), split,
                    "a preference dataset has chosen and rejected texts, or chosen_ids and rejected_ids");
            if (tokenizer == null) throw new IllegalArgumentException(split + " data: text columns need a tokenizer");
        }
        boolean margin = columns.contains("margin");
        List<Map<String, Object>> rows = new ArrayList<>();
        int dropped = 0;
        for (int i = 0; i < dataset.size(); i++) {
            Map<String, Object> row = dataset.get(i);
            long[] chosen = tokenized ? PreferenceRows.ids(row, "chosen_ids", i, split, vocabSize, false)
                    : tokenize(row, "chosen", i, split);
            long[] rejected = tokenized ? PreferenceRows.ids(row, "rejected_ids", i, split, vocabSize, false)
                    : tokenize(row, "rejected", i, split);
            if (maxLength != null && (chosen.length > maxLength || rejected.length > maxLength)) {
                dropped++;
                continue;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("chosen_ids", chosen);
            out.put("rejected_ids", rejected);
            if (margin) out.put("margin", number(row.get("margin"), i, split));
            rows.add(out);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(split + " data: no preference pair left of " + dataset.size()
                    + (dropped > 0 ? " (" + dropped + " longer than max_length " + maxLength + ")" : ""));
        }
        return new Prepared(Dataset.fromRows(rows), new Report(split, rows.size(), dropped, maxLength));
    }

    private long[] tokenize(Map<String, Object> row, String column, int i, String split) {
        String text = PreferenceRows.text(row, column, i, split);
        if (text.isEmpty()) throw new IllegalArgumentException(split + " data, row " + i + ": '" + column + "' is empty");
        if (eosToken != null && !text.endsWith(eosToken)) text += eosToken;
        if (row.get("prompt") != null) text = PreferenceRows.text(row, "prompt", i, split) + text;
        return PreferenceRows.encode(tokenizer, text);
    }

    private static double number(Object value, int i, String split) {
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException(split + " data, row " + i + ": 'margin' must be a number, got " + value);
        }
        return n.doubleValue();
    }
}
