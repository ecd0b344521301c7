package dev.jtune.tokenizer.io;

import static dev.jtune.tokenizer.io.TokenizerJsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.tokenizer.AddedToken;
import dev.jtune.tokenizer.Padding;
import dev.jtune.tokenizer.Side;
import dev.jtune.tokenizer.Truncation;
import dev.jtune.tokenizer.model.Bpe;
import dev.jtune.tokenizer.model.BpeOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a Hugging Face tokenizer.json: its BPE model, added tokens, stored padding and truncation. */
final class TokenizerJsonReader {

    private final JsonFile file;
    private final JsonNode root;

    TokenizerJsonReader(JsonFile file) {
        this.file = file;
        this.root = file.root();
    }

    Bpe model() {
        JsonNode m = file.object(root, MODEL, "$");
        String type = m.has(TYPE) ? file.string(m, TYPE, MODEL) : "BPE";
        if (!type.equals("BPE")) {
            throw file.error("model.type", "unsupported model type '" + type + "' (supported: BPE)");
        }
        JsonNode dropout = m.get(DROPOUT);
        if (dropout != null && !dropout.isNull() && dropout.asDouble() != 0.0) {
            throw file.error("model.dropout", "BPE dropout is not supported (got " + dropout + ")");
        }
        BpeOptions options = new BpeOptions(file.optionalString(m, UNK_TOKEN, MODEL),
                file.bool(m, FUSE_UNK, false, MODEL), file.bool(m, BYTE_FALLBACK, false, MODEL),
                file.bool(m, IGNORE_MERGES, false, MODEL),
                file.optionalString(m, CONTINUING_SUBWORD_PREFIX, MODEL),
                file.optionalString(m, END_OF_WORD_SUFFIX, MODEL));
        Map<String, Integer> vocab = vocab(file.object(m, VOCAB, MODEL));
        List<String[]> merges = merges(file.array(m, MERGES, MODEL));
        try {
            return new Bpe(vocab, merges, options);
        } catch (IllegalArgumentException e) {
            throw file.error(MODEL, e.getMessage());
        }
    }

    private Map<String, Integer> vocab(JsonNode v) {
        Map<String, Integer> vocab = new LinkedHashMap<>(v.size() * 2);
        for (var e : v.properties()) {
            vocab.put(e.getKey(), file.asInt(e.getValue(), "model.vocab." + e.getKey()));
        }
        return vocab;
    }

    private List<String[]> merges(JsonNode array) {
        List<String[]> merges = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String where = "model.merges[" + i + "]";
            if (m.isTextual()) {
                merges.add(MergesText.parse(m.textValue(), () -> file.error(where,
                        "expected \"left right\", got \"" + m.textValue() + "\"")));
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                merges.add(new String[] {m.get(0).textValue(), m.get(1).textValue()});
            } else {
                throw file.error(where, "expected \"left right\" or [\"left\", \"right\"], got " + m);
            }
        }
        return merges;
    }

    List<AddedToken> addedTokens() {
        List<AddedToken> tokens = new ArrayList<>();
        JsonNode array = root.get(ADDED_TOKENS);
        if (array == null || array.isNull()) {
            return tokens;
        }
        array = file.array(root, ADDED_TOKENS, "$");
        for (int i = 0; i < array.size(); i++) {
            tokens.add(addedToken(file, array.get(i), "added_tokens[" + i + "]", -1));
        }
        return tokens;
    }

    /** One added token object; {@code id} overrides a missing ID field (tokenizer_config.json keys them by id). */
    static AddedToken addedToken(JsonFile file, JsonNode t, String where, int id) {
        if (!t.isObject()) {
            throw file.error(where, "expected an object, got " + JsonFile.kind(t));
        }
        return new AddedToken(id >= 0 ? id : file.asInt(t.path(ID), where + ".id"),
                file.string(t, CONTENT, where), file.bool(t, SINGLE_WORD, false, where),
                file.bool(t, LSTRIP, false, where), file.bool(t, RSTRIP, false, where),
                file.bool(t, NORMALIZED, true, where), file.bool(t, SPECIAL, false, where));
    }

    Padding padding() {
        JsonNode p = file.optionalObject(root, PADDING, "$");
        if (p == null) {
            return null;
        }
        JsonNode strategy = p.get(STRATEGY);
        Padding padding;
        if (strategy != null && strategy.isTextual() && strategy.textValue().equals("BatchLongest")) {
            padding = Padding.longest();
        } else if (strategy != null && strategy.isObject() && strategy.has("Fixed")) {
            padding = Padding.maxLength(file.asInt(strategy.get("Fixed"), "padding.strategy.Fixed"));
        } else {
            throw file.error("padding.strategy", "expected \"BatchLongest\" or {\"Fixed\": n}, got " + strategy);
        }
        int multiple = file.integer(p, PAD_TO_MULTIPLE_OF, 1, PADDING);
        return padding.withSide(side(p, PADDING)).withPadToMultipleOf(multiple);
    }

    Truncation truncation() {
        JsonNode t = file.optionalObject(root, TRUNCATION, "$");
        if (t == null) {
            return null;
        }
        return new Truncation(file.integer(t, MAX_LENGTH, 512, TRUNCATION), side(t, TRUNCATION));
    }

    /** padding.pad_token, which transformers adopts as the pad token when the config names none. */
    String paddingToken() {
        JsonNode p = file.optionalObject(root, PADDING, "$");
        return p == null ? null : file.optionalString(p, PAD_TOKEN, PADDING);
    }

    private Side side(JsonNode n, String where) {
        String direction = file.optionalString(n, DIRECTION, where);
        if (direction == null || direction.equals("Right")) {
            return Side.RIGHT;
        }
        if (direction.equals("Left")) {
            return Side.LEFT;
        }
        throw file.error(where + ".direction", "expected \"Left\" or \"Right\", got \"" + direction + "\"");
    }

    ComponentReader components() {
        return new ComponentReader(file);
    }

    JsonNode section(String name) {
        JsonNode n = root.get(name);
        return n == null || n.isNull() ? null : n;
    }
}
