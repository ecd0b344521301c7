package dev.jtune.tokenizer.pretokenizers;

import dev.jtune.tokenizer.text.TextPattern;

/**
 * Splits on the matches of a string or regex; {@code invert} makes the matches the pieces and the gaps the
 * delimiters (how Llama 3 and GPT-4o use their tiktoken-style regex).
 */
public record Split(TextPattern pattern, SplitBehavior behavior, boolean invert) implements PreTokenizer {

    @Override
    public void split(String piece, boolean first, Sink out) {
        behavior.emit(piece, first, Segments.ofRegex(pattern.compiled(), piece, invert), out);
    }
}
