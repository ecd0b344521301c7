package dev.jtune.train.data;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what a map function returned (lists, object arrays, primitive arrays) into one list per column. */
final class ColumnValues {

    private ColumnValues() {}

    /**
     * @param out   the function's result: column name to a list or an array with one value per row
     * @param rows  the number of rows of the batch
     * @param first the dataset index of the batch's first row (for messages)
     */
    static Map<String, List<Object>> normalize(Map<String, ?> out, int rows, int first) {
        if (out == null) throw new IllegalArgumentException("map: the function returned null for rows from " + first);
        Map<String, List<Object>> columns = new LinkedHashMap<>();
        for (var e : out.entrySet()) {
            List<Object> values = toList(e.getKey(), e.getValue(), first);
            if (values.size() != rows) {
                throw new IllegalArgumentException("map: column '" + e.getKey() + "' has " + values.size()
                        + " values for a batch of " + rows + " rows starting at row " + first);
            }
            columns.put(e.getKey(), values);
        }
        return columns;
    }

    private static List<Object> toList(String name, Object value, int first) {
        if (value instanceof List<?> list) return new ArrayList<>(list);
        if (value != null && value.getClass().isArray()) {
            int n = Array.getLength(value);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) list.add(Array.get(value, i));
            return list;
        }
        throw new IllegalArgumentException("map: column '" + name + "' for rows from " + first
                + " must be a list or an array with one value per row, got " + (value == null ? "null" : value.getClass().getSimpleName()));
    }
}
