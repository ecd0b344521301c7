package dev.jtune.train.data;

import dev.jtune.tokenizer.Tokenizer;
import java.util.List;
import java.util.Map;

/**
 * Reading preference datasets (TRL's column names) for the reward and DPO trainers: required columns, text cells and
 * token-id cells checked against the model's vocabulary, each error naming the split, row and column.
 */
public final class PreferenceRows {

    private PreferenceRows() {}

    /** Fails unless every column of {@code needed} is there, describing the accepted layouts in {@code layouts}. */
    public static void requireColumns(List<String> columns, List<String> needed, String split, String layouts) {
        for (String name : needed) {
            if (!columns.contains(name)) {
                throw new IllegalArgumentException(split + " data: no '" + name + "' column (columns " + columns + "; "
                        + layouts + ")");
            }
        }
    }

    /** The text in {@code column} of row {@code i}. */
    public static String text(Map<String, Object> row, String column, int i, String split) {
        if (!(row.get(column) instanceof String s)) {
            throw new IllegalArgumentException(split + " data, row " + i + ": '" + column + "' must be text, got "
                    + row.get(column));
        }
        return s;
    }

    /** The token ids in {@code column} of row {@code i}: non-empty unless {@code mayBeEmpty}, each in {@code [0, vocabSize)}. */
    public static long[] ids(Map<String, Object> row, String column, int i, String split, int vocabSize, boolean mayBeEmpty) {
        long[] ids;
        try {
            ids = Sequences.toLongs(row.get(column), column, i);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(split + " data, " + e.getMessage(), e);
        }
        if (ids.length == 0 && !mayBeEmpty) {
            throw new IllegalArgumentException(split + " data, row " + i + ": '" + column + "' is empty");
        }
        for (long id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException(split + " data, row " + i + ": '" + column + "' holds id " + id
                        + (id < 0 ? "" : ", outside the model's vocabulary of " + vocabSize));
            }
        }
        return ids;
    }

    /** {@code text} encoded by {@code tokenizer} (its special tokens added as it adds them), as longs. */
    public static long[] encode(Tokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text);
        long[] out = new long[ids.length];
        for (int k = 0; k < ids.length; k++) out[k] = ids[k];
        return out;
    }
}
