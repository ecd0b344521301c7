package dev.jtune.tokenizer.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.jtune.tokenizer.TokenizerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A JSON file being read, with typed accessors whose errors name the file and the path inside it:
 * {@code tokenizer.json (/models/gpt2/tokenizer.json): model.vocab: expected an object, got an array}.
 */
final class JsonFile {

    /** A duplicate key or content after the object is an error, as the tokenizers library's serde reader says. */
    static final ObjectMapper MAPPER = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final Path path;
    private final JsonNode root;

    private JsonFile(Path path, JsonNode root) {
        this.path = path;
        this.root = root;
    }

    /** Parses {@code path}; malformed JSON fails with the file name and location. */
    static JsonFile read(Path path) {
        try {
            JsonNode root = MAPPER.readTree(Files.readString(path));
            if (root == null || !root.isObject()) {
                throw new TokenizerException(path.getFileName() + " (" + path + "): expected a JSON object");
            }
            return new JsonFile(path, root);
        } catch (JsonProcessingException e) {
            throw new TokenizerException(path.getFileName() + " (" + path + "): malformed JSON: "
                    + e.getOriginalMessage() + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
        } catch (IOException e) {
            throw new TokenizerException(path.getFileName() + " (" + path + "): cannot read: " + e.getMessage(), e);
        }
    }

    JsonNode root() {
        return root;
    }

    Path path() {
        return path;
    }

    TokenizerException error(String where, String message) {
        return new TokenizerException(path.getFileName() + " (" + path + "): " + where + ": " + message);
    }

    /** The object at {@code node.field}, or null when absent or JSON null. */
    JsonNode optionalObject(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw error(where + "." + field, "expected an object, got " + kind(v));
        }
        return v;
    }

    JsonNode object(JsonNode node, String field, String where) {
        JsonNode v = optionalObject(node, field, where);
        if (v == null) {
            throw error(where + "." + field, "missing");
        }
        return v;
    }

    JsonNode array(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw error(where + "." + field, v == null ? "missing" : "expected an array, got " + kind(v));
        }
        return v;
    }

    String string(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw error(where + "." + field, v == null ? "missing" : "expected a string, got " + kind(v));
        }
        return v.textValue();
    }

    /** A string field that may be absent or null. */
    String optionalString(JsonNode node, String field, String where) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : string(node, field, where);
    }

    boolean bool(JsonNode node, String field, boolean fallback, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw error(where + "." + field, "expected true or false, got " + kind(v));
        }
        return v.booleanValue();
    }

    int integer(JsonNode node, String field, int fallback, String where) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        return asInt(v, where + "." + field);
    }

    int asInt(JsonNode v, String where) {
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(where, "expected an integer, got " + kind(v));
        }
        return v.intValue();
    }

    static String kind(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
