package dev.jtune.tokenizer.pretokenizers;

import dev.jtune.tokenizer.text.Chars;

/** Splits on each punctuation character (ASCII punctuation or a Unicode P* category) with {@code behavior}. */
public record Punctuation(SplitBehavior behavior) implements PreTokenizer {

    @Override
    public void split(String piece, boolean first, Sink out) {
        behavior.emit(piece, first, Segments.ofCodePoints(Chars::isPunctuation, piece), out);
    }
}
