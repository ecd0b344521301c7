package dev.jtune.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code csv} format: a header row, then records of comma-separated fields; a field in double quotes may hold
 * commas, line breaks and doubled quotes. An empty unquoted field is null. As pandas does, a column whose values all
 * read as integers becomes {@code Long}, one whose values all read as numbers {@code Double}; others stay strings.
 */
final class CsvLoader {

    private CsvLoader() {}

    static Map<String, List<Object>> read(Path file) throws IOException {
        String text = TextFiles.read(file);
        List<List<String>> records = new ArrayList<>();
        List<Integer> recordLines = new ArrayList<>();
        parse(file, text, records, recordLines);
        if (records.isEmpty()) throw new MalformedDatasetException(file + ":1: empty CSV file (no header row)");
        List<String> header = records.getFirst();
        Map<String, List<Object>> columns = new LinkedHashMap<>();
        for (String name : header) {
            if (name == null || name.isEmpty()) throw new MalformedDatasetException(file + ":1: empty column name in the header");
            if (columns.put(name, new ArrayList<>()) != null) {
                throw new MalformedDatasetException(file + ":1: column '" + name + "' appears twice in the header");
            }
        }
        for (int r = 1; r < records.size(); r++) {
            List<String> fields = records.get(r);
            if (fields.size() != header.size()) {
                throw new MalformedDatasetException(file + ":" + recordLines.get(r) + ": " + fields.size()
                        + " fields, but the header has " + header.size());
            }
            for (int c = 0; c < fields.size(); c++) columns.get(header.get(c)).add(fields.get(c));
        }
        columns.replaceAll((name, values) -> inferType(values));
        return columns;
    }

    /** Splits {@code text} into records of fields; an unquoted empty field is null; blank lines are skipped. */
    private static void parse(Path file, String text, List<List<String>> records, List<Integer> recordLines)
            throws MalformedDatasetException {
        int line = 1, i = 0, n = text.length();
        while (i < n) {
            int recordLine = line;
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false, endOfRecord = false;
            while (i < n && !endOfRecord) {
                char ch = text.charAt(i);
                if (field.isEmpty() && !quoted && ch == '"') {
                    int openLine = line;
                    i++;
                    while (true) {
                        if (i >= n) throw new MalformedDatasetException(file + ":" + openLine + ": unterminated quoted field");
                        char q = text.charAt(i++);
                        if (q == '"') {
                            if (i < n && text.charAt(i) == '"') {
                                field.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            if (q == '\n') line++;
                            field.append(q);
                        }
                    }
                    quoted = true;
                    if (i < n && ",\r\n".indexOf(text.charAt(i)) < 0) {
                        throw new MalformedDatasetException(file + ":" + line + ": unexpected character '" + text.charAt(i)
                                + "' after a closing quote");
                    }
                } else if (ch == ',') {
                    fields.add(quoted || !field.isEmpty() ? field.toString() : null);
                    field.setLength(0);
                    quoted = false;
                    i++;
                } else if (ch == '\r' || ch == '\n') {
                    i += ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
                    line++;
                    endOfRecord = true;
                } else {
                    field.append(ch);
                    i++;
                }
            }
            if (fields.isEmpty() && field.isEmpty() && !quoted) continue;  // a blank line
            fields.add(quoted || !field.isEmpty() ? field.toString() : null);
            records.add(fields);
            recordLines.add(recordLine);
        }
    }

    private static List<Object> inferType(List<Object> values) {
        boolean allLong = true, allDouble = true;
        for (Object v : values) {
            if (v == null) continue;
            String s = (String) v;
            allLong &= s.strip().matches("[+-]?\\d{1,18}");
            allDouble &= allLong || isDouble(s);
        }
        if (!allLong && !allDouble) return values;
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            String s = v == null ? null : ((String) v).strip();
            out.add(s == null ? null : allLong ? (Object) Long.parseLong(s) : (Object) Double.parseDouble(s));
        }
        return out;
    }

    private static boolean isDouble(String s) {
        try {
            Double.parseDouble(s.strip());
            return !s.isBlank() && !s.strip().matches(".*[a-zA-Z&&[^eE]].*");
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
