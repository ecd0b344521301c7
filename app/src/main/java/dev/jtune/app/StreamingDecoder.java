package dev.jtune.app;

import dev.jtune.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Turns a stream of token ids into text pieces: a byte-level token may end inside a UTF-8 character, so text is
 * released only up to the last complete character.
 */
final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private int[] ids = new int[0];
    private int printed;

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds one token and returns the newly completed text (possibly empty). */
    String push(int id) {
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = id;
        String text = tokenizer.decode(ids, true);
        if (text.endsWith("\uFFFD")) return "";  // an incomplete character: wait for its next bytes
        String piece = printed <= text.length() ? text.substring(printed) : "";
        printed = text.length();
        return piece;
    }
}
