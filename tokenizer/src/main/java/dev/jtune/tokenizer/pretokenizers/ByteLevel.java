package dev.jtune.tokenizer.pretokenizers;

import dev.jtune.tokenizer.text.ByteAlphabet;

/**
 * GPT-2's pre-tokenizer: optionally prepends a space, optionally splits with GPT-2's regex ({@link Gpt2Splitter}),
 * then rewrites each piece's UTF-8 bytes in the {@link ByteAlphabet}.
 *
 * @param addPrefixSpace prepend a space to a piece that does not start with one, so a first word looks like others
 * @param trimOffsets only affects offsets, which this library does not report; kept to save the file unchanged
 * @param useRegex split with GPT-2's regex (false when an earlier Split already did)
 */
public record ByteLevel(boolean addPrefixSpace, boolean trimOffsets, boolean useRegex) implements PreTokenizer {

    @Override
    public void split(String piece, boolean first, Sink out) {
        if (addPrefixSpace && !piece.startsWith(" ")) {
            piece = " " + piece;
        }
        char[] scratch = new char[ByteAlphabet.maxEncodedLength(piece.length())]; // one buffer for every word
        if (!useRegex) {
            if (!piece.isEmpty()) {
                out.accept(scratch, 0, ByteAlphabet.encode(piece, 0, piece.length(), scratch));
            }
            return;
        }
        for (int i = 0; i < piece.length(); ) {
            int end = Gpt2Splitter.matchEnd(piece, i);
            out.accept(scratch, 0, ByteAlphabet.encode(piece, i, end, scratch));
            i = end;
        }
    }
}
