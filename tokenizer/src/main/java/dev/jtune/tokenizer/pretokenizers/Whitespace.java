package dev.jtune.tokenizer.pretokenizers;

import java.util.regex.Pattern;

/** Keeps runs of word characters and runs of other non-space characters: regex {@code \w+|[^\w\s]+}. */
public record Whitespace() implements PreTokenizer {

    private static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    @Override
    public void split(String piece, boolean first, Sink out) {
        SplitBehavior.REMOVED.emit(piece, first, Segments.ofRegex(WORDS, piece, true), out);
    }
}
