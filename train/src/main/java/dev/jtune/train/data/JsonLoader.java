package dev.jtune.train.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code json} format: JSON lines (one object per line, blank lines skipped) or a file holding one array of
 * objects. Integers become {@code Long}, other numbers {@code Double}, arrays {@code List}, objects {@code Map}.
 */
final class JsonLoader {

    /** Strict as {@code datasets}' reader: two objects on one line or a duplicate key is an error. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** One element of a JSON array file: more elements follow it (content after the array is checked below). */
    private static final ObjectReader ELEMENT = MAPPER.readerFor(Object.class)
            .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonLoader() {}

    static Map<String, List<Object>> read(Path file) throws IOException {
        String text = TextFiles.read(file);
        Map<String, List<Object>> columns = new LinkedHashMap<>();
        if (text.stripLeading().startsWith("[")) {
            readArray(file, text, columns);
        } else {
            List<String> lines = text.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) Datasets.addRow(columns, parseObject(file, i + 1, lines.get(i)), file, i + 1);
            }
        }
        return columns;
    }

    private static Map<String, Object> parseObject(Path file, long line, String json) throws MalformedDatasetException {
        Object value;
        try {
            value = MAPPER.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new MalformedDatasetException(file + ":" + line + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        return asRow(file, line, value);
    }

    private static void readArray(Path file, String text, Map<String, List<Object>> columns) throws IOException {
        try (JsonParser p = MAPPER.createParser(text)) {
            p.nextToken();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == null) throw new MalformedDatasetException(file + ": unterminated JSON array");
                long line = p.currentTokenLocation().getLineNr();
                Datasets.addRow(columns, asRow(file, line, ELEMENT.readValue(p)), file, line);
            }
            if (p.nextToken() != null) {
                throw new MalformedDatasetException(file + ":" + p.currentTokenLocation().getLineNr()
                        + ": unexpected content after the JSON array");
            }
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
            throw new MalformedDatasetException(file + ":" + line + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Map<String, Object> asRow(Path file, long line, Object value) throws MalformedDatasetException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new MalformedDatasetException(file + ":" + line + ": expected a JSON object, got "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        Map<String, Object> row = new LinkedHashMap<>();
        map.forEach((k, v) -> row.put((String) k, v));
        return row;
    }
}
