package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.tokenizer.decoders.Decoder;
import dev.jtune.tokenizer.model.Bpe;
import dev.jtune.tokenizer.model.BpeOptions;
import dev.jtune.tokenizer.normalizers.Normalizer;
import dev.jtune.tokenizer.pretokenizers.Metaspace;
import dev.jtune.tokenizer.pretokenizers.Metaspace.PrependScheme;
import dev.jtune.tokenizer.processors.PostProcessor.TemplateProcessing;
import dev.jtune.tokenizer.text.TextPattern;
import java.text.Normalizer.Form;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Normalizers, decoders, post-processors, added-token flags and BPE options on small hand-made vocabularies. */
class ComponentsTest {

    @Test
    void normalizers() {
        assertEquals("\u00e9", new Normalizer.Unicode(Form.NFC).normalize("e\u0301"));
        assertEquals("i\u0307stanbul", new Normalizer.Lowercase().normalize("\u0130STANBUL"), "full mapping of U+0130");
        assertEquals("a b", new Normalizer.Strip(true, true).normalize("\u3000 a b\n"));
        assertEquals("a▁b", new Normalizer.Replace(TextPattern.literal(" "), "▁").normalize("a b"));
        assertEquals("▁ab", new Normalizer.Prepend("▁").normalize("ab"));
        assertEquals("", new Normalizer.Prepend("▁").normalize(""));
    }

    @Test
    void lowercaseWorksPerCodePointWithoutFinalSigma() {
        assertEquals("σσ", new Normalizer.Lowercase().normalize("ΣΣ"));
    }

    @Test
    void decoders() {
        assertEquals("Hey friend", new Decoder.Metaspace('▁', PrependScheme.ALWAYS, true)
                .decode(List.of("▁Hey", "▁friend")));
        assertEquals(List.of("A", "é", "b", "\uFFFD", "\uFFFD"), new Decoder.ByteFallback()
                .decodeChain(List.of("A", "<0xC3>", "<0xA9>", "b", "<0xC3>", "<0xFF>")),
                "a run of byte tokens that is not valid UTF-8 becomes one U+FFFD per byte");
        assertEquals(List.of("ab", "c"), new Decoder.Strip(' ', 1, 0).decodeChain(List.of(" ab", "c")));
        assertEquals("a b", new Decoder.Sequence(List.of(new Decoder.Replace(TextPattern.literal("▁"), " "),
                new Decoder.Fuse())).decode(List.of("a", "▁b")));
        assertEquals("[PAD] é", new Decoder.ByteLevel(true, true, true).decode(List.of("[PAD]", "ĠÃ©")));
    }

    private static Bpe sentencePieceModel() {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String t : List.of("<unk>", "<s>", "</s>", "▁", "a", "b", "▁a", "ab", "▁ab", "<0xC3>", "<0xA9>")) {
            vocab.put(t, vocab.size());
        }
        List<String[]> merges = List.of(new String[] {"▁", "a"}, new String[] {"▁a", "b"}, new String[] {"a", "b"});
        return new Bpe(vocab, merges, new BpeOptions("<unk>", true, true, false, null, null));
    }

    @Test
    void sentencePieceStyleBpeWithByteFallbackAndTemplate() {
        var template = new TemplateProcessing(
                List.of(new TemplateProcessing.Piece(true, "<s>", 0), new TemplateProcessing.Piece(false, "A", 0)),
                List.of(), Map.of("<s>", new TemplateProcessing.SpecialToken("<s>", List.of(1), List.of("<s>"))));
        Tokenizer t = new Tokenizer(null, new Metaspace('▁', PrependScheme.ALWAYS, true), sentencePieceModel(),
                template, new Decoder.Sequence(List.of(new Decoder.Metaspace('▁', PrependScheme.ALWAYS, true),
                        new Decoder.ByteFallback(), new Decoder.Fuse())),
                List.of(AddedToken.special(1, "<s>"), AddedToken.special(2, "</s>")), Map.of("bos_token", "<s>"),
                TokenizerSettings.NONE);
        assertArrayEquals(new int[] {1, 8, 6, 9, 10}, t.encode("ab aé"), "é falls back to its two bytes");
        assertArrayEquals(new int[] {8, 6, 9, 10}, t.encode("ab aé", false));
        assertArrayEquals(new int[] {8, 3, 0}, t.encode("ab xyz", false), "unknown characters fuse into one <unk>");
        assertEquals("ab aé", t.decode(new int[] {1, 8, 6, 9, 10}, true));
        assertEquals(List.of(1), List.of(t.bosTokenId()));
    }

    private static Tokenizer withAddedToken(AddedToken token) {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String t : List.of("a", "b", " ", "<x>")) {
            vocab.put(t, vocab.size());
        }
        return new Tokenizer(null, null, new Bpe(vocab, List.of(), BpeOptions.BYTE_LEVEL), null, null,
                List.of(token), Map.of(), TokenizerSettings.NONE);
    }

    @Test
    void addedTokenFlagsStripAndWordBoundaries() {
        assertArrayEquals(new int[] {0, 3, 2, 1},
                withAddedToken(new AddedToken(3, "<x>", false, true, false, false, true)).encode("a <x> b"),
                "lstrip swallows the space on the left");
        assertArrayEquals(new int[] {0, 2, 3, 1},
                withAddedToken(new AddedToken(3, "<x>", false, false, true, false, true)).encode("a <x> b"),
                "rstrip swallows the space on the right");
        assertArrayEquals(new int[] {0, 0, 2, 3},
                withAddedToken(new AddedToken(3, "a", true, false, false, false, true)).encode("aa a"),
                "single_word: matched alone, not inside a word");
    }
}
