package dev.jtune.train.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code csv} format, parsed by Jackson's CSV module: a header row, then records of comma-separated fields; a
 * field in double quotes may hold commas, line breaks and doubled quotes; blank lines are skipped. An empty unquoted
 * field is null. As pandas does, a column whose values all read as integers becomes {@code Long}, one whose values all
 * read as numbers {@code Double}; others stay strings.
 */
final class CsvLoader {

    /** Each record comes as an array of strings (no schema, so the header is just the first record). */
    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.WRAP_AS_ARRAY)
            .enable(CsvParser.Feature.SKIP_EMPTY_LINES)
            .enable(CsvParser.Feature.EMPTY_UNQUOTED_STRING_AS_NULL)
            .build();

    private CsvLoader() {}

    static Map<String, List<Object>> read(Path file) throws IOException {
        List<List<String>> records = new ArrayList<>();
        List<Integer> recordLines = new ArrayList<>();
        parse(file, TextFiles.read(file), records, recordLines);
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

    /** Reads {@code text} into records of fields with the line each record starts on; a syntax error names its line. */
    private static void parse(Path file, String text, List<List<String>> records, List<Integer> recordLines)
            throws IOException {
        int line = 1;
        try (CsvParser parser = (CsvParser) CSV.createParser(text)) {
            parser.nextToken();  // the array that wraps the whole file
            while (parser.nextToken() == JsonToken.START_ARRAY) {
                List<String> fields = new ArrayList<>();
                line = parser.currentLocation().getLineNr();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    if (fields.isEmpty()) recordLines.add(parser.currentTokenLocation().getLineNr());
                    fields.add(parser.getValueAsString());
                    line = parser.currentLocation().getLineNr();
                }
                records.add(fields);
            }
        } catch (JacksonException e) {
            throw new MalformedDatasetException(file + ":" + line + ": " + e.getOriginalMessage(), e);
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
