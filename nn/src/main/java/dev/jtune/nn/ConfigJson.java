package dev.jtune.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Reads {@code config.json} fields with defaults and strict checks: a field of the wrong type, or a setting the
 * implementation does not support, fails with the file and field named instead of running a different model.
 */
public final class ConfigJson {

    /**
     * Strict: content after the object is an error (as for Python's json), and so is a duplicate key (which Python
     * would silently resolve to its last value, hiding a typo).
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final ObjectNode node;
    private final String source;

    public ConfigJson(ObjectNode node, String source) {
        this.node = node;
        this.source = source;
    }

    /** Parses {@code dir/config.json}. */
    public static ConfigJson read(Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new NoSuchFileException(file + ": no config.json in the model directory");
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": config.json must hold a JSON object");
        return new ConfigJson((ObjectNode) root, file.toString());
    }

    public ObjectNode node() {
        return node;
    }

    public String modelType() {
        return string("model_type", null);
    }

    /** The file this was read from ({@code .../config.json}). */
    public String source() {
        return source;
    }

    public int integer(String field, int fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw wrong(field, "an integer", v);
        return v.intValue();
    }

    /** A positive integer size field, at most {@link ConfigLimits#MAX_SIZE}. */
    public int size(String field, int fallback) {
        int v = integer(field, fallback);
        if (v < 1 || v > ConfigLimits.MAX_SIZE) {
            throw wrong(field, "a size between 1 and " + ConfigLimits.MAX_SIZE, node.get(field));
        }
        return v;
    }

    /**
     * The configuration {@code maker} builds from this file's fields; its own checks (such as n_embd divisible by
     * n_head) fail naming this file.
     */
    public <T> T build(Supplier<T> maker) {
        try {
            return maker.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** A probability field (a dropout rate): a number in [0, 1]. */
    public double probability(String field, double fallback) {
        double v = number(field, fallback);
        if (!(v >= 0 && v <= 1)) throw wrong(field, "a probability between 0 and 1", node.get(field));
        return v;
    }

    /** A number that must be finite and above 0 (an epsilon, a RoPE base). */
    public double positive(String field, double fallback) {
        double v = number(field, fallback);
        if (!(v > 0 && Double.isFinite(v))) throw wrong(field, "a positive number", node.get(field));
        return v;
    }

    public double number(String field, double fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber()) throw wrong(field, "a number", v);
        return v.doubleValue();
    }

    public boolean bool(String field, boolean fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isBoolean()) throw wrong(field, "true or false", v);
        return v.booleanValue();
    }

    public String string(String field, String fallback) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) return fallback;
        if (!v.isTextual()) throw wrong(field, "a string", v);
        return v.textValue();
    }

    /**
     * A token id that may be an int, null (none: -1), or a list (the first entry is used, as for generation's eos);
     * {@code fallback} when the field is absent.
     */
    public int tokenId(String field, int fallback) {
        return tokenId(field, fallback, Integer.MAX_VALUE);
    }

    /** A token id, as {@link #tokenId(String, int)}, that is looked up in the embedding, so below {@code vocabSize}. */
    public int tokenId(String field, int fallback, int vocabSize) {
        JsonNode v = node.get(field);
        if (v == null) return fallback;
        if (v.isNull()) return -1;
        int id = v.isArray() && !v.isEmpty() && v.get(0).isIntegralNumber() ? v.get(0).intValue() : integer(field, -1);
        if (id >= vocabSize) throw wrong(field, "a token id below vocab_size " + vocabSize, v);
        return id;
    }

    /** Writes a token id field, null when the id is negative (none). */
    public static void putTokenId(ObjectNode json, String field, int id) {
        if (id < 0) json.putNull(field); else json.put(field, id);
    }

    /** Fails unless {@code ok}, naming the field and its value. */
    public void require(boolean ok, String field, String supported) {
        if (!ok) {
            throw new IllegalArgumentException(source + ": unsupported " + field + " = " + node.get(field)
                    + " (jtune supports " + supported + ")");
        }
    }

    private IllegalArgumentException wrong(String field, String expected, JsonNode v) {
        return new IllegalArgumentException(source + ": field '" + field + "' must be " + expected + ", got " + v);
    }

    /** Writes {@code config.json} into {@code dir}. */
    public static void write(ObjectNode json, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "config", ".json.tmp");
        try {
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), json);
            Files.move(tmp, dir.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
