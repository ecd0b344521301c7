package dev.jtune.tokenizer.pretokenizers;

import dev.jtune.tokenizer.text.Chars;

/** Splits on Unicode white space, which is dropped. */
public record WhitespaceSplit() implements PreTokenizer {

    @Override
    public void split(String piece, boolean first, Sink out) {
        SplitBehavior.REMOVED.emit(piece, first, Segments.ofCodePoints(Chars::isWhiteSpace, piece), out);
    }
}
