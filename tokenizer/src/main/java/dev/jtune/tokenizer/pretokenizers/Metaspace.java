package dev.jtune.tokenizer.pretokenizers;

/**
 * SentencePiece-style pre-tokenizer: spaces become {@code replacement} ('▁'), which is prepended to the text as the
 * scheme says, and the text is split before each replacement when {@code split} is set.
 */
public record Metaspace(char replacement, PrependScheme prependScheme, boolean split) implements PreTokenizer {

    /** When to prepend the replacement: to every piece, to the piece at the start of the text only, or never. */
    public enum PrependScheme {
        ALWAYS, FIRST, NEVER
    }

    @Override
    public void split(String piece, boolean first, Sink out) {
        String text = piece.replace(' ', replacement);
        boolean prepend = switch (prependScheme) {
            case ALWAYS -> true;
            case FIRST -> first;
            case NEVER -> false;
        };
        if (prepend && !text.isEmpty() && text.charAt(0) != replacement) {
            text = replacement + text;
        }
        if (!split) {
            if (!text.isEmpty()) {
                out.accept(text);
            }
            return;
        }
        SplitBehavior.MERGED_WITH_NEXT.emit(text, first, Segments.ofCodePoints(cp -> cp == replacement, text), out);
    }
}
