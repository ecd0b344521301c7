package dev.jtune.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads one string field from every row of a JSONL file, with errors naming the file and line. */
final class JsonlTexts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlTexts() {}

    static List<String> read(Path file, String field) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> texts = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode row;
            try {
                row = JSON.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IOException(file + ": line " + (i + 1) + ": malformed JSON: " + e.getMessage(), e);
            }
            JsonNode value = row == null ? null : row.get(field);
            if (value == null || !value.isTextual()) {
                throw new IOException(file + ": line " + (i + 1) + ": no string field '" + field + "'");
            }
            texts.add(value.textValue());
        }
        return texts;
    }
}
