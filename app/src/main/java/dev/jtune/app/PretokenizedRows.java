package dev.jtune.app;

import dev.jtune.train.data.Dataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows that are already tokenized, as Hugging Face datasets often are: {@code input_ids} (and optionally
 * {@code attention_mask} and {@code labels}) are used as they are, without the tokenizer, once checked against the
 * model so that a bad id fails naming its row instead of deep inside the model.
 */
final class PretokenizedRows {

    private static final List<String> COLUMNS = List.of("input_ids", "attention_mask", "labels");

    private PretokenizedRows() {}

    /** Whether the rows bring their own {@code input_ids}. */
    static boolean present(Dataset rows) {
        return rows.columnNames().contains("input_ids");
    }

    /**
     * The rows with their id columns as {@code int[]}: each input id within the vocabulary, each row within the
     * model's positions, each mask and label row as long as its input ids.
     */
    static Dataset checked(Dataset rows, int vocabSize, int maxPositions) {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>(rows.get(i));
            for (String column : COLUMNS) {
                if (row.get(column) != null) row.put(column, ints(row.get(column), i, column));
            }
            int[] ids = (int[]) row.get("input_ids");
            if (ids.length > maxPositions) {
                throw new IllegalArgumentException("row " + i + " has " + ids.length + " input_ids, more than the "
                        + "model's " + maxPositions + " positions");
            }
            for (int id : ids) {
                if (id < 0 || id >= vocabSize) {
                    throw new IllegalArgumentException("row " + i + ": input_ids value " + id + " is outside the "
                            + "model's vocabulary of " + vocabSize);
                }
            }
            for (String column : COLUMNS.subList(1, 3)) {
                if (row.get(column) instanceof int[] values && values.length != ids.length) {
                    throw new IllegalArgumentException("row " + i + " has " + ids.length + " input_ids but "
                            + values.length + " " + column);
                }
            }
            out.add(row);
        }
        return Dataset.fromRows(out);
    }

    private static int[] ints(Object value, int row, String column) {
        if (value instanceof int[] a) return a;
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("row " + row + ": " + column + " must be a list of integers, got " + value);
        }
        int[] out = new int[list.size()];
        for (int j = 0; j < out.length; j++) {
            if (!(list.get(j) instanceof Long n) || n != n.intValue()) {
                throw new IllegalArgumentException("row " + row + ": " + column + " value " + j + " is not an integer: "
                        + list.get(j));
            }
            out[j] = n.intValue();
        }
        return out;
    }
}
