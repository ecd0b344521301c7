package dev.jtune.train.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads local files into datasets, like {@code datasets.load_dataset(format, data_files=...)}: {@code json} (JSON
 * lines, or one array of objects), {@code csv} (a header row; columns of numbers become numbers) and {@code text}
 * (one row per line in a {@code text} column). Each split's files are read in order and concatenated.
 */
public final class Datasets {

    private Datasets() {}

    /**
     * One dataset per split, from a map such as {@code {"train": [train.jsonl], "validation": [val.jsonl]}}.
     *
     * @throws NoSuchFileException         when a file is missing
     * @throws MalformedDatasetException   when a file is malformed (the message names the file and line)
     */
    public static DatasetDict load(String format, Map<String, List<Path>> dataFiles) throws IOException {
        Map<String, Dataset> splits = new LinkedHashMap<>();
        for (var e : dataFiles.entrySet()) {
            if (e.getValue().isEmpty()) throw new IllegalArgumentException("Datasets.load: split '" + e.getKey() + "' has no files");
            splits.put(e.getKey(), read(format, e.getValue()));
        }
        return new DatasetDict(splits);
    }

    /** The files as a single {@code train} split, as {@code load_dataset(format, data_files=file)}. */
    public static DatasetDict load(String format, Path... files) throws IOException {
        return load(format, Map.of("train", List.of(files)));
    }

    /** The rows of {@code files}, concatenated; every file must have the same columns. */
    public static Dataset read(String format, List<Path> files) throws IOException {
        Map<String, List<Object>> columns = null;
        Path first = null;
        for (Path file : files) {
            if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, format + " data file not found");
            Map<String, List<Object>> part = switch (format) {
                case "json" -> JsonLoader.read(file);
                case "csv" -> CsvLoader.read(file);
                case "text" -> TextLoader.read(file);
                default -> throw new IllegalArgumentException("Datasets: unknown format '" + format + "' (json, csv, text)");
            };
            if (columns == null) {
                columns = part;
                first = file;
            } else if (!columns.keySet().equals(part.keySet())) {
                throw new MalformedDatasetException(file + ": columns " + part.keySet() + " differ from " + first
                        + "'s " + columns.keySet());
            } else {
                for (var e : part.entrySet()) columns.get(e.getKey()).addAll(e.getValue());
            }
        }
        return Dataset.fromColumns(columns == null ? Map.of() : columns);
    }

    /** Appends one row to {@code columns}, fixing the column set on the first row. */
    static void addRow(Map<String, List<Object>> columns, Map<String, Object> row, Path file, long line)
            throws MalformedDatasetException {
        if (columns.isEmpty()) row.keySet().forEach(k -> columns.put(k, new ArrayList<>()));
        for (String name : columns.keySet()) {
            if (!row.containsKey(name)) {
                throw new MalformedDatasetException(file + ":" + line + ": missing column '" + name + "' (columns are "
                        + columns.keySet() + ")");
            }
        }
        for (String name : row.keySet()) {
            if (!columns.containsKey(name)) {
                throw new MalformedDatasetException(file + ":" + line + ": unexpected column '" + name + "' (columns are "
                        + columns.keySet() + ")");
            }
        }
        columns.forEach((name, values) -> values.add(row.get(name)));
    }
}
