package dev.jtune.tokenizer.io;

import static dev.jtune.tokenizer.io.TokenizerJsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.tokenizer.decoders.Decoder;
import dev.jtune.tokenizer.normalizers.Normalizer;
import dev.jtune.tokenizer.pretokenizers.ByteLevel;
import dev.jtune.tokenizer.pretokenizers.Digits;
import dev.jtune.tokenizer.pretokenizers.Metaspace;
import dev.jtune.tokenizer.pretokenizers.PreTokenizer;
import dev.jtune.tokenizer.pretokenizers.Punctuation;
import dev.jtune.tokenizer.pretokenizers.Sequence;
import dev.jtune.tokenizer.pretokenizers.Split;
import dev.jtune.tokenizer.pretokenizers.Whitespace;
import dev.jtune.tokenizer.pretokenizers.WhitespaceSplit;
import dev.jtune.tokenizer.processors.PostProcessor;
import dev.jtune.tokenizer.text.TextPattern;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Writes the components back in tokenizer.json's form: the mirror of {@link ComponentReader}. */
final class ComponentWriter {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private ComponentWriter() {}

    static JsonNode normalizer(Normalizer n) {
        if (n == null) {
            return NullNode.instance;
        }
        return switch (n) {
            case Normalizer.Unicode u -> typed(u.form().name());
            case Normalizer.Lowercase l -> typed("Lowercase");
            case Normalizer.Strip s -> typed("Strip").put(STRIP_LEFT, s.left()).put(STRIP_RIGHT, s.right());
            case Normalizer.Replace r -> typed("Replace").<ObjectNode>set(PATTERN, pattern(r.pattern()))
                    .put(CONTENT, r.content());
            case Normalizer.Prepend p -> typed("Prepend").put(PREPEND, p.prepend());
            case Normalizer.Sequence s -> typed("Sequence").set(NORMALIZERS,
                    list(s.normalizers(), ComponentWriter::normalizer));
        };
    }

    static JsonNode preTokenizer(PreTokenizer p) {
        if (p == null) {
            return NullNode.instance;
        }
        return switch (p) {
            case ByteLevel b -> typed("ByteLevel").put(ADD_PREFIX_SPACE, b.addPrefixSpace())
                    .put(TRIM_OFFSETS, b.trimOffsets()).put(USE_REGEX, b.useRegex());
            case Split s -> typed("Split").<ObjectNode>set(PATTERN, pattern(s.pattern()))
                    .put(BEHAVIOR, s.behavior().jsonName()).put(INVERT, s.invert());
            case Metaspace m -> typed("Metaspace").put(REPLACEMENT, String.valueOf(m.replacement()))
                    .put(PREPEND_SCHEME, m.prependScheme().name().toLowerCase(Locale.ROOT)).put(SPLIT, m.split());
            case Digits d -> typed("Digits").put(INDIVIDUAL_DIGITS, d.individualDigits());
            case Punctuation q -> typed("Punctuation").put(BEHAVIOR, q.behavior().jsonName());
            case Whitespace w -> typed("Whitespace");
            case WhitespaceSplit w -> typed("WhitespaceSplit");
            case Sequence s -> typed("Sequence").set(PRETOKENIZERS,
                    list(s.preTokenizers(), ComponentWriter::preTokenizer));
        };
    }

    static JsonNode postProcessor(PostProcessor p) {
        if (p == null) {
            return NullNode.instance;
        }
        return switch (p) {
            case PostProcessor.ByteLevel b -> typed("ByteLevel").put(ADD_PREFIX_SPACE, b.addPrefixSpace())
                    .put(TRIM_OFFSETS, b.trimOffsets()).put(USE_REGEX, b.useRegex());
            case PostProcessor.TemplateProcessing t -> template(t);
            case PostProcessor.Sequence s -> typed("Sequence").set(PROCESSORS,
                    list(s.processors(), ComponentWriter::postProcessor));
        };
    }

    static JsonNode decoder(Decoder d) {
        if (d == null) {
            return NullNode.instance;
        }
        return switch (d) {
            case Decoder.ByteLevel b -> typed("ByteLevel").put(ADD_PREFIX_SPACE, b.addPrefixSpace())
                    .put(TRIM_OFFSETS, b.trimOffsets()).put(USE_REGEX, b.useRegex());
            case Decoder.Metaspace m -> typed("Metaspace").put(REPLACEMENT, String.valueOf(m.replacement()))
                    .put(PREPEND_SCHEME, m.prependScheme().name().toLowerCase(Locale.ROOT)).put(SPLIT, m.split());
            case Decoder.ByteFallback b -> typed("ByteFallback");
            case Decoder.Fuse f -> typed("Fuse");
            case Decoder.Strip s -> typed("Strip").put(CONTENT, String.valueOf(s.content()))
                    .put(START, s.start()).put(STOP, s.stop());
            case Decoder.Replace r -> typed("Replace").<ObjectNode>set(PATTERN, pattern(r.pattern()))
                    .put(CONTENT, r.content());
            case Decoder.Sequence s -> typed("Sequence").set(DECODERS, list(s.decoders(), ComponentWriter::decoder));
        };
    }

    private static ObjectNode template(PostProcessor.TemplateProcessing t) {
        ObjectNode out = typed("TemplateProcessing");
        out.set(SINGLE, pieces(t.single()));
        out.set(PAIR, pieces(t.pair()));
        ObjectNode specials = out.putObject(SPECIAL_TOKENS);
        t.specialTokens().forEach((name, s) -> {
            ObjectNode o = specials.putObject(name).put(ID, s.id());
            s.ids().forEach(o.putArray(IDS)::add);
            s.tokens().forEach(o.putArray(TOKENS)::add);
        });
        return out;
    }

    private static ArrayNode pieces(List<PostProcessor.TemplateProcessing.Piece> pieces) {
        ArrayNode out = JSON.arrayNode();
        for (var p : pieces) {
            out.addObject().putObject(p.special() ? "SpecialToken" : "Sequence").put(ID, p.id())
                    .put(TYPE_ID, p.typeId());
        }
        return out;
    }

    private static ObjectNode typed(String type) {
        return JSON.objectNode().put(TYPE, type);
    }

    private static ObjectNode pattern(TextPattern p) {
        return JSON.objectNode().put(p.regex() ? "Regex" : "String", p.source());
    }

    private static <T> ArrayNode list(List<T> items, Function<T, JsonNode> write) {
        ArrayNode out = JSON.arrayNode();
        items.forEach(i -> out.add(write.apply(i)));
        return out;
    }
}
