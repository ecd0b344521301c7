package dev.jtune.tokenizer.io;

import static dev.jtune.tokenizer.io.TokenizerJsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.tokenizer.decoders.Decoder;
import dev.jtune.tokenizer.normalizers.Normalizer;
import dev.jtune.tokenizer.pretokenizers.ByteLevel;
import dev.jtune.tokenizer.pretokenizers.Digits;
import dev.jtune.tokenizer.pretokenizers.Metaspace;
import dev.jtune.tokenizer.pretokenizers.Metaspace.PrependScheme;
import dev.jtune.tokenizer.pretokenizers.PreTokenizer;
import dev.jtune.tokenizer.pretokenizers.Punctuation;
import dev.jtune.tokenizer.pretokenizers.Sequence;
import dev.jtune.tokenizer.pretokenizers.Split;
import dev.jtune.tokenizer.pretokenizers.SplitBehavior;
import dev.jtune.tokenizer.pretokenizers.Whitespace;
import dev.jtune.tokenizer.pretokenizers.WhitespaceSplit;
import dev.jtune.tokenizer.processors.PostProcessor;
import dev.jtune.tokenizer.processors.PostProcessor.TemplateProcessing;
import dev.jtune.tokenizer.text.TextPattern;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the normalizer, pre-tokenizer, post-processor and decoder sections of tokenizer.json. A type this library
 * does not implement fails with the file, the JSON path and the supported types: never a silently different
 * tokenization.
 */
final class ComponentReader {

    private final JsonFile file;

    ComponentReader(JsonFile file) {
        this.file = file;
    }

    Normalizer normalizer(JsonNode n, String where) {
        return switch (type(n, where, NORMALIZER)) {
            case "NFC" -> new Normalizer.Unicode(Form.NFC);
            case "NFD" -> new Normalizer.Unicode(Form.NFD);
            case "NFKC" -> new Normalizer.Unicode(Form.NFKC);
            case "NFKD" -> new Normalizer.Unicode(Form.NFKD);
            case "Lowercase" -> new Normalizer.Lowercase();
            case "Strip" -> new Normalizer.Strip(file.bool(n, STRIP_LEFT, false, where),
                    file.bool(n, STRIP_RIGHT, false, where));
            case "Replace" -> new Normalizer.Replace(pattern(n, where), file.string(n, CONTENT, where));
            case "Prepend" -> new Normalizer.Prepend(file.string(n, PREPEND, where));
            case "Sequence" -> new Normalizer.Sequence(list(n, NORMALIZERS, where, this::normalizer));
            default -> throw unsupported(n, where, NORMALIZER,
                    "NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend, Sequence");
        };
    }

    PreTokenizer preTokenizer(JsonNode n, String where) {
        return switch (type(n, where, "pre-tokenizer")) {
            case "ByteLevel" -> new ByteLevel(file.bool(n, ADD_PREFIX_SPACE, true, where),
                    file.bool(n, TRIM_OFFSETS, true, where), file.bool(n, USE_REGEX, true, where));
            case "Split" -> new Split(pattern(n, where), behavior(n, where, null),
                    file.bool(n, INVERT, false, where));
            case "Metaspace" -> new Metaspace(replacement(n, where), prependScheme(n, where),
                    file.bool(n, SPLIT, true, where));
            case "Digits" -> new Digits(file.bool(n, INDIVIDUAL_DIGITS, false, where));
            case "Punctuation" -> new Punctuation(behavior(n, where, SplitBehavior.ISOLATED));
            case "Whitespace" -> new Whitespace();
            case "WhitespaceSplit" -> new WhitespaceSplit();
            case "Sequence" -> new Sequence(list(n, PRETOKENIZERS, where, this::preTokenizer));
            default -> throw unsupported(n, where, "pre-tokenizer",
                    "ByteLevel, Split, Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit, Sequence");
        };
    }

    PostProcessor postProcessor(JsonNode n, String where) {
        return switch (type(n, where, "post-processor")) {
            case "ByteLevel" -> new PostProcessor.ByteLevel(file.bool(n, ADD_PREFIX_SPACE, true, where),
                    file.bool(n, TRIM_OFFSETS, true, where), file.bool(n, USE_REGEX, true, where));
            case "TemplateProcessing" -> template(n, where);
            case "Sequence" -> new PostProcessor.Sequence(list(n, PROCESSORS, where, this::postProcessor));
            default -> throw unsupported(n, where, "post-processor", "ByteLevel, TemplateProcessing, Sequence");
        };
    }

    Decoder decoder(JsonNode n, String where) {
        return switch (type(n, where, DECODER)) {
            case "ByteLevel" -> new Decoder.ByteLevel(file.bool(n, ADD_PREFIX_SPACE, true, where),
                    file.bool(n, TRIM_OFFSETS, true, where), file.bool(n, USE_REGEX, true, where));
            case "Metaspace" -> new Decoder.Metaspace(replacement(n, where), prependScheme(n, where),
                    file.bool(n, SPLIT, true, where));
            case "ByteFallback" -> new Decoder.ByteFallback();
            case "Fuse" -> new Decoder.Fuse();
            case "Strip" -> new Decoder.Strip(singleChar(file.string(n, CONTENT, where), where + ".content"),
                    file.integer(n, START, 0, where), file.integer(n, STOP, 0, where));
            case "Replace" -> new Decoder.Replace(pattern(n, where), file.string(n, CONTENT, where));
            case "Sequence" -> new Decoder.Sequence(list(n, DECODERS, where, this::decoder));
            default -> throw unsupported(n, where, DECODER,
                    "ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence");
        };
    }

    private TemplateProcessing template(JsonNode n, String where) {
        List<TemplateProcessing.Piece> single = templatePieces(file.array(n, SINGLE, where), where + ".single");
        JsonNode pairNode = n.get(PAIR);
        List<TemplateProcessing.Piece> pair = pairNode == null || pairNode.isNull()
                ? List.of() : templatePieces(file.array(n, PAIR, where), where + ".pair");
        Map<String, TemplateProcessing.SpecialToken> specials = new LinkedHashMap<>();
        JsonNode specialNode = file.optionalObject(n, SPECIAL_TOKENS, where);
        if (specialNode != null) {
            for (var e : specialNode.properties()) {
                String at = where + ".special_tokens." + e.getKey();
                List<Integer> ids = new ArrayList<>();
                file.array(e.getValue(), IDS, at).forEach(id -> ids.add(file.asInt(id, at + ".ids")));
                List<String> tokens = new ArrayList<>();
                file.array(e.getValue(), TOKENS, at).forEach(t -> tokens.add(t.asText()));
                specials.put(e.getKey(), new TemplateProcessing.SpecialToken(file.string(e.getValue(), ID, at),
                        ids, tokens));
            }
        }
        for (TemplateProcessing.Piece p : single) {
            if (p.special() && !specials.containsKey(p.id())) {
                throw file.error(where + ".single", "special token '" + p.id() + "' is not in special_tokens");
            }
        }
        return new TemplateProcessing(single, pair, specials);
    }

    private List<TemplateProcessing.Piece> templatePieces(JsonNode array, String where) {
        List<TemplateProcessing.Piece> pieces = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String at = where + "[" + i + "]";
            JsonNode p = array.get(i);
            JsonNode special = p.get("SpecialToken");
            JsonNode sequence = p.get("Sequence");
            JsonNode body = special != null ? special : sequence;
            if (body == null || !body.isObject()) {
                throw file.error(at, "expected {\"SpecialToken\": {...}} or {\"Sequence\": {...}}");
            }
            pieces.add(new TemplateProcessing.Piece(special != null, file.string(body, ID, at),
                    file.integer(body, TYPE_ID, 0, at)));
        }
        return pieces;
    }

    private String type(JsonNode n, String where, String component) {
        if (!n.isObject()) {
            throw file.error(where, component + ": expected an object, got " + JsonFile.kind(n));
        }
        return file.string(n, TYPE, where);
    }

    private RuntimeException unsupported(JsonNode n, String where, String component, String supported) {
        return file.error(where, "unsupported " + component + " type '" + n.get(TYPE).asText()
                + "' (supported: " + supported + ")");
    }

    private <T> List<T> list(JsonNode n, String field, String where, BiFunction<JsonNode, String, T> read) {
        JsonNode array = file.array(n, field, where);
        List<T> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            out.add(read.apply(array.get(i), where + "." + field + "[" + i + "]"));
        }
        return out;
    }

    private TextPattern pattern(JsonNode n, String where) {
        JsonNode p = file.object(n, PATTERN, where);
        String at = where + ".pattern";
        try {
            if (p.has("String")) {
                return TextPattern.literal(file.string(p, "String", at));
            }
            if (p.has("Regex")) {
                return TextPattern.regex(file.string(p, "Regex", at));
            }
        } catch (PatternSyntaxException e) {
            throw file.error(at, "regex not supported by java.util.regex: " + e.getDescription() + " in "
                    + e.getPattern());
        }
        throw file.error(at, "expected {\"String\": ...} or {\"Regex\": ...}");
    }

    private SplitBehavior behavior(JsonNode n, String where, SplitBehavior fallback) {
        String name = fallback == null ? file.string(n, BEHAVIOR, where) : file.optionalString(n, BEHAVIOR, where);
        if (name == null) {
            return fallback;
        }
        SplitBehavior b = SplitBehavior.fromJson(name);
        if (b == null) {
            throw file.error(where + ".behavior", "unknown split behavior '" + name
                    + "' (known: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
        }
        return b;
    }

    private char replacement(JsonNode n, String where) {
        return singleChar(file.string(n, REPLACEMENT, where), where + ".replacement");
    }

    private char singleChar(String s, String where) {
        if (s.length() != 1) {
            throw file.error(where, "expected one character, got '" + s + "'");
        }
        return s.charAt(0);
    }

    /** prepend_scheme, or the older add_prefix_space flag. */
    private PrependScheme prependScheme(JsonNode n, String where) {
        String scheme = file.optionalString(n, PREPEND_SCHEME, where);
        if (scheme == null) {
            return file.bool(n, ADD_PREFIX_SPACE, true, where) ? PrependScheme.ALWAYS : PrependScheme.NEVER;
        }
        return switch (scheme) {
            case "always" -> PrependScheme.ALWAYS;
            case "first" -> PrependScheme.FIRST;
            case "never" -> PrependScheme.NEVER;
            default -> throw file.error(where + ".prepend_scheme", "unknown scheme '" + scheme
                    + "' (known: always, first, never)");
        };
    }
}
