package dev.jtune.tokenizer.io;

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
        root.set("truncation", s.truncation() == null ? NullNode.instance : truncation(s.truncation()));
        root.set("padding", s.padding() == null ? NullNode.instance : padding(s.padding(), t));
        var added = root.putArray("added_tokens");
        t.addedTokens().stream().sorted(Comparator.comparingInt(AddedToken::id))
                .forEach(a -> added.add(addedToken(a).put("id", a.id())));
        root.set("normalizer", ComponentWriter.normalizer(t.normalizer()));
        root.set("pre_tokenizer", ComponentWriter.preTokenizer(t.preTokenizer()));
        root.set("post_processor", ComponentWriter.postProcessor(t.postProcessor()));
        root.set("decoder", ComponentWriter.decoder(t.decoder()));
        root.set("model", model(t.model()));
        return root;
    }

    private static ObjectNode model(Bpe bpe) {
        BpeOptions o = bpe.options();
        ObjectNode m = JSON.objectNode().put("type", "BPE");
        m.putNull("dropout");
        m.put("unk_token", o.unkToken());
        m.put("continuing_subword_prefix", o.continuingSubwordPrefix());
        m.put("end_of_word_suffix", o.endOfWordSuffix());
        m.put("fuse_unk", o.fuseUnk()).put("byte_fallback", o.byteFallback()).put("ignore_merges", o.ignoreMerges());
        ObjectNode vocab = m.putObject("vocab");
        bpe.vocab().entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> vocab.put(e.getKey(), e.getValue()));
        var merges = m.putArray("merges");
        for (String[] pair : bpe.merges()) {
            merges.addArray().add(pair[0]).add(pair[1]);
        }
        return m;
    }

    private static ObjectNode truncation(Truncation t) {
        return JSON.objectNode().put("direction", direction(t.side())).put("max_length", t.maxLength())
                .put("strategy", "LongestFirst").put("stride", 0);
    }

    private static ObjectNode padding(Padding p, Tokenizer t) {
        ObjectNode o = JSON.objectNode();
        if (p.strategy() == Padding.Strategy.MAX_LENGTH) {
            o.putObject("strategy").put("Fixed", p.maxLength());
        } else {
            o.put("strategy", "BatchLongest");
        }
        o.put("direction", direction(p.side()));
        if (p.padToMultipleOf() > 1) {
            o.put("pad_to_multiple_of", p.padToMultipleOf());
        } else {
            o.putNull("pad_to_multiple_of");
        }
        Integer padId = t.padTokenId();
        return o.put("pad_id", padId == null ? 0 : padId).put("pad_type_id", 0)
                .put("pad_token", t.padToken() == null ? "[PAD]" : t.padToken());
    }

    private static ObjectNode config(Tokenizer t) {
        ObjectNode c = JSON.objectNode();
        ObjectNode decoder = c.putObject("added_tokens_decoder");
        t.addedTokens().stream().sorted(Comparator.comparingInt(AddedToken::id))
                .forEach(a -> decoder.set(Integer.toString(a.id()), addedToken(a)));
        t.specialTokens().forEach(c::put);
        c.put("clean_up_tokenization_spaces", false);
        if (t.settings().modelMaxLength() != null) {
            c.put("model_max_length", t.settings().modelMaxLength());
        }
        c.put("tokenizer_class", "PreTrainedTokenizerFast");
        return c;
    }

    private static ObjectNode addedToken(AddedToken a) {
        return JSON.objectNode().put("content", a.content()).put("single_word", a.singleWord())
                .put("lstrip", a.lstrip()).put("rstrip", a.rstrip()).put("normalized", a.normalized())
                .put("special", a.special());
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
