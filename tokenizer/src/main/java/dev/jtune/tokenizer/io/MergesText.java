package dev.jtune.tokenizer.io;

import dev.jtune.tokenizer.TokenizerException;
import java.util.function.Supplier;

/** Parses one merge written as text, {@code "Ġ t"}: two tokens separated by one space. */
final class MergesText {

    private MergesText() {}

    static String[] parse(String line, Supplier<TokenizerException> malformed) {
        int space = line.indexOf(' ');
        if (space <= 0 || space == line.length() - 1 || line.indexOf(' ', space + 1) >= 0) {
            throw malformed.get();
        }
        return new String[] {line.substring(0, space), line.substring(space + 1)};
    }
}
