package dev.jtune.tokenizer.io;

import static dev.jtune.tokenizer.io.TokenizerJsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jtune.tokenizer.AddedToken;
import dev.jtune.tokenizer.Padding;
import dev.jtune.tokenizer.Side;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.TokenizerSettings;
import dev.jtune.tokenizer.Truncation;
import dev.jtune.tokenizer.model.Bpe;
import dev.jtune.tokenizer.model.BpeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;

/** Writes the three files transformers' {@code save_pretrained} writes for a fast tokenizer, each atomically. */
final class TokenizerJsonWriter {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private TokenizerJsonWriter() {}

    static void save(Tokenizer t, Path dir) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve(TokenizerFiles.TOKENIZER_JSON), tokenizerJson(t));
        write(dir.resolve(TokenizerFiles.TOKENIZER_CONFIG), config(t));
        ObjectNode map = JSON.objectNode();
        t.specialTokens().forEach(map::put);
        write(dir.resolve(TokenizerFiles.SPECIAL_TOKENS_MAP), map);
    }

    private static ObjectNode tokenizerJson(Tokenizer t) {
        ObjectNode root = JSON.objectNode().put("version", "1.0");
        TokenizerSettings s = t.settings();
        root.set(TRUNCATION, s.truncation() == null ? NullNode.instance : truncation(s.truncation()));
        root.set(PADDING, s.padding() == null ? NullNode.instance : padding(s.padding(), t));
        var added = root.putArray(ADDED_TOKENS);
        t.addedTokens().stream().sorted(Comparator.comparingInt(AddedToken::id))
                .forEach(a -> added.add(addedToken(a).put(ID, a.id())));
        root.set(NORMALIZER, ComponentWriter.normalizer(t.normalizer()));
        root.set(PRE_TOKENIZER, ComponentWriter.preTokenizer(t.preTokenizer()));
        root.set(POST_PROCESSOR, ComponentWriter.postProcessor(t.postProcessor()));
        root.set(DECODER, ComponentWriter.decoder(t.decoder()));
        root.set(MODEL, model(t.model()));
        return root;
    }

    private static ObjectNode model(Bpe bpe) {
        BpeOptions o = bpe.options();
        ObjectNode m = JSON.objectNode().put(TYPE, "BPE");
        m.putNull(DROPOUT);
        m.put(UNK_TOKEN, o.unkToken());
        m.put(CONTINUING_SUBWORD_PREFIX, o.continuingSubwordPrefix());
        m.put(END_OF_WORD_SUFFIX, o.endOfWordSuffix());
        m.put(FUSE_UNK, o.fuseUnk()).put(BYTE_FALLBACK, o.byteFallback()).put(IGNORE_MERGES, o.ignoreMerges());
        ObjectNode vocab = m.putObject(VOCAB);
        bpe.vocab().entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> vocab.put(e.getKey(), e.getValue()));
        var merges = m.putArray(MERGES);
        for (String[] pair : bpe.merges()) {
            merges.addArray().add(pair[0]).add(pair[1]);
        }
        return m;
    }

    private static ObjectNode truncation(Truncation t) {
        return JSON.objectNode().put(DIRECTION, direction(t.side())).put(MAX_LENGTH, t.maxLength())
                .put(STRATEGY, "LongestFirst").put("stride", 0);
    }

    private static ObjectNode padding(Padding p, Tokenizer t) {
        ObjectNode o = JSON.objectNode();
        if (p.strategy() == Padding.Strategy.MAX_LENGTH) {
            o.putObject(STRATEGY).put("Fixed", p.maxLength());
        } else {
            o.put(STRATEGY, "BatchLongest");
        }
        o.put(DIRECTION, direction(p.side()));
        if (p.padToMultipleOf() > 1) {
            o.put(PAD_TO_MULTIPLE_OF, p.padToMultipleOf());
        } else {
            o.putNull(PAD_TO_MULTIPLE_OF);
        }
        Integer padId = t.padTokenId();
        return o.put("pad_id", padId == null ? 0 : padId).put("pad_type_id", 0)
                .put(PAD_TOKEN, t.padToken() == null ? "[PAD]" : t.padToken());
    }

    private static ObjectNode config(Tokenizer t) {
        ObjectNode c = JSON.objectNode();
        ObjectNode decoder = c.putObject(ADDED_TOKENS_DECODER);
        t.addedTokens().stream().sorted(Comparator.comparingInt(AddedToken::id))
                .forEach(a -> decoder.set(Integer.toString(a.id()), addedToken(a)));
        t.specialTokens().forEach(c::put);
        c.put("clean_up_tokenization_spaces", false);
        if (t.settings().modelMaxLength() != null) {
            c.put(MODEL_MAX_LENGTH, t.settings().modelMaxLength());
        }
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        return c;
    }

    private static ObjectNode addedToken(AddedToken a) {
        return JSON.objectNode().put(CONTENT, a.content()).put(SINGLE_WORD, a.singleWord())
                .put(LSTRIP, a.lstrip()).put(RSTRIP, a.rstrip()).put(NORMALIZED, a.normalized())
                .put(SPECIAL, a.special());
    }

    private static String direction(Side side) {
        return side == Side.LEFT ? "Left" : "Right";
    }

    private static void write(Path path, JsonNode node) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(tmp, JsonFile.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
