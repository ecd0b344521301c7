package dev.jtune.tokenizer.pretokenizers;

import dev.jtune.tokenizer.text.Chars;

/**
 * GPT-2's pre-tokenization regex written out by hand, because it is the hot loop of byte-level tokenization:
 * <pre>{@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}</pre>
 * {@link #REGEX} is the same pattern for {@link java.util.regex.Pattern}; a property test proves both split every
 * string alike.
 */
public final class Gpt2Splitter {

    /** The regex this class implements, as it appears in Hugging Face's ByteLevel pre-tokenizer. */
    public static final String REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final byte LETTER = 0;
    private static final byte NUMBER = 1;
    private static final byte SPACE = 2;
    private static final byte OTHER = 3;
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = classify(c);
        }
    }

    private Gpt2Splitter() {}

    /** The end of the regex match that starts at {@code i} (the regex matches at every position of a non-empty rest). */
    public static int matchEnd(String s, int i) {
        int n = s.length();
        char c = s.charAt(i);
        if (c == '\'' && i + 1 < n) {
            char d = s.charAt(i + 1);
            if (d == 's' || d == 't' || d == 'm' || d == 'd') {
                return i + 2;
            }
            if (i + 2 < n) {
                char e = s.charAt(i + 2);
                if ((d == 'r' && e == 'e') || (d == 'v' && e == 'e') || (d == 'l' && e == 'l')) {
                    return i + 3;
                }
            }
        }
        int j = i;
        int cls = classAt(s, i);
        if (c == ' ' && i + 1 < n) {
            int nextCls = classAt(s, i + 1);
            if (nextCls != SPACE) {
                j = i + 1;
                cls = nextCls;
            }
        }
        if (cls != SPACE) {
            do {
                j += Character.charCount(s.codePointAt(j));
            } while (j < n && classAt(s, j) == cls);
            return j;
        }
        int k = i;
        while (k < n && classAt(s, k) == SPACE) {
            k++; // every white-space code point is a single char
        }
        return k == n || k - i == 1 ? k : k - 1;
    }

    private static int classAt(String s, int i) {
        char c = s.charAt(i);
        return c < 128 ? ASCII[c] : classify(s.codePointAt(i));
    }

    private static byte classify(int cp) {
        if (Chars.isLetter(cp)) {
            return LETTER;
        }
        if (Chars.isNumber(cp)) {
            return NUMBER;
        }
        return Chars.isWhiteSpace(cp) ? SPACE : OTHER;
    }
}
