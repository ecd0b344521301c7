package dev.jtune.train.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only view of consecutive rows of a {@link Dataset}, handed to a batched {@link Dataset#map} function, like
 * the dict of lists that {@code datasets} passes with {@code batched=True}.
 */
public final class Batch {

    private final Map<String, List<Object>> columns;
    private final int start;
    private final int end;

    Batch(Map<String, List<Object>> columns, int start, int end) {
        this.columns = columns;
        this.start = start;
        this.end = end;
    }

    /** The number of rows. */
    public int size() {
        return end - start;
    }

    /** The column names. */
    public List<String> columnNames() {
        return List.copyOf(columns.keySet());
    }

    /** This batch's values of one column. */
    public List<Object> column(String name) {
        List<Object> c = columns.get(name);
        if (c == null) throw new IllegalArgumentException("Batch: no column '" + name + "'; columns are " + columns.keySet());
        return Collections.unmodifiableList(c.subList(start, end));
    }

    /**
     * This batch's values of a text column (for a tokenizer).
     *
     * @throws IllegalArgumentException when a value is not a string (naming the row)
     */
    public List<String> strings(String name) {
        List<Object> values = column(name);
        for (int i = 0; i < values.size(); i++) {
            if (!(values.get(i) instanceof String)) {
                throw new IllegalArgumentException("Batch: column '" + name + "' row " + (start + i) + " is not a string: "
                        + values.get(i));
            }
        }
        @SuppressWarnings("unchecked")
        List<String> strings = (List<String>) (List<?>) values;
        return strings;
    }

    /** Row {@code i} of the batch as a map from column name to value. */
    public Map<String, Object> row(int i) {
        if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("Batch row " + i + " out of range for " + size() + " rows");
        Map<String, Object> row = new LinkedHashMap<>();
        columns.forEach((name, values) -> row.put(name, values.get(start + i)));
        return Collections.unmodifiableMap(row);
    }
}
