package dev.jtune.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code text} format: one row per line (line breaks dropped, empty lines kept) in a column named {@code text}. */
final class TextLoader {

    private TextLoader() {}

    static Map<String, List<Object>> read(Path file) throws IOException {
        Map<String, List<Object>> columns = new LinkedHashMap<>();
        columns.put("text", new ArrayList<>(TextFiles.lines(file)));
        return columns;
    }
}
