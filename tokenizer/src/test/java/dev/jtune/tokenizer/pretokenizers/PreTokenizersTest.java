package dev.jtune.tokenizer.pretokenizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.tokenizer.pretokenizers.Metaspace.PrependScheme;
import dev.jtune.tokenizer.text.TextPattern;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each pre-tokenizer against the examples of Hugging Face tokenizers' own unit tests. */
class PreTokenizersTest {

    private static List<String> split(PreTokenizer p, String text) {
        List<String> out = new ArrayList<>();
        p.split(text, true, out::add);
        return out;
    }

    private static Split dash(SplitBehavior behavior) {
        return new Split(TextPattern.literal("-"), behavior, false);
    }

    @Test
    void splitBehaviorsDecideWhereDelimitersGo() {
        String text = "the-final--countdown";
        assertEquals(List.of("the", "final", "countdown"), split(dash(SplitBehavior.REMOVED), text));
        assertEquals(List.of("the", "-", "final", "-", "-", "countdown"), split(dash(SplitBehavior.ISOLATED), text));
        assertEquals(List.of("the-", "final-", "-", "countdown"), split(dash(SplitBehavior.MERGED_WITH_PREVIOUS), text));
        assertEquals(List.of("the", "-final", "-", "-countdown"), split(dash(SplitBehavior.MERGED_WITH_NEXT), text));
        assertEquals(List.of("the", "-", "final", "--", "countdown"), split(dash(SplitBehavior.CONTIGUOUS), text));
    }

    @Test
    void invertedSplitKeepsTheMatches() {
        Split words = new Split(TextPattern.regex("\\w+"), SplitBehavior.REMOVED, true);
        assertEquals(List.of("Hey", "friend"), split(words, "Hey, friend!"));
    }

    @Test
    void metaspaceReplacesSpacesAndPrependsAsTheSchemeSays() {
        assertEquals(List.of("▁Hey", "▁friend"), split(new Metaspace('▁', PrependScheme.ALWAYS, true), "Hey friend"));
        assertEquals(List.of("▁Hey▁friend"), split(new Metaspace('▁', PrependScheme.ALWAYS, false), "Hey friend"));
        assertEquals(List.of("Hey", "▁friend"), split(new Metaspace('▁', PrependScheme.NEVER, true), "Hey friend"));
        List<String> later = new ArrayList<>();
        new Metaspace('▁', PrependScheme.FIRST, true).split("Hey", false, later::add);
        assertEquals(List.of("Hey"), later, "FIRST prepends only at the start of the text");
        PreTokenizer sequence = new Sequence(List.of(new WhitespaceSplit(), new Metaspace('▁', PrependScheme.FIRST, false)));
        assertEquals(List.of("▁Hey", "friend"), split(sequence, "Hey friend"), "in a sequence, only the first word");
    }

    @Test
    void digitsPunctuationAndWhitespace() {
        assertEquals(List.of("Hey ", "1", "2", "3", " friend"), split(new Digits(true), "Hey 123 friend"));
        assertEquals(List.of("Hey ", "123", " friend"), split(new Digits(false), "Hey 123 friend"));
        assertEquals(List.of("Hey friend", "!", "!", "?"), split(new Punctuation(SplitBehavior.ISOLATED), "Hey friend!!?"));
        assertEquals(List.of("Hey", "friend", "!!!"), split(new Whitespace(), "Hey friend!!!"));
        assertEquals(List.of("Hey", "friend!!!"), split(new WhitespaceSplit(), "Hey\u00a0 friend!!!"));
    }

    @Test
    void byteLevelAddsThePrefixSpaceAndMapsBytes() {
        assertEquals(List.of("ĠHello", "Ġworld"), split(new ByteLevel(true, true, true), "Hello world"));
        assertEquals(List.of("HelloĠworld"), split(new ByteLevel(false, true, false), "Hello world"));
        assertEquals(List.of("Ã©"), split(new ByteLevel(false, true, true), "é"));
    }

    @Test
    void sequenceFeedsEachPieceToTheNext() {
        Sequence s = new Sequence(List.of(new WhitespaceSplit(), new Digits(true)));
        assertEquals(List.of("a", "1", "2", "b"), split(s, "a12 b"));
    }
}
