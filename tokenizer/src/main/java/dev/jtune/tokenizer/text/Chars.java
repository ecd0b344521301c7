package dev.jtune.tokenizer.text;

/**
 * Unicode character classes with the meanings that Rust and Oniguruma give them (the Hugging Face tokenizers
 * library is written in Rust and compiles its regexes with Oniguruma). Java's own {@code Character.isWhitespace}
 * and {@code isLetter} differ at the edges (no-break space, U+001C..U+001F), hence this class.
 */
public final class Chars {

    private Chars() {}

    /** Unicode White_Space: Rust's {@code char::is_whitespace} and Oniguruma's {@code \s}. */
    public static boolean isWhiteSpace(int cp) {
        return switch (cp) {
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** General category L (Lu, Ll, Lt, Lm, Lo): regex {@code \p{L}}. */
    public static boolean isLetter(int cp) {
        return Character.isLetter(cp);
    }

    /** General category N (Nd, Nl, No): regex {@code \p{N}}. */
    public static boolean isNumber(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** Rust's {@code char::is_alphanumeric}: Alphabetic or Numeric. */
    public static boolean isAlphanumeric(int cp) {
        return Character.isAlphabetic(cp) || isNumber(cp);
    }

    /** Rust's {@code is_ascii_punctuation} or a Unicode punctuation category (P*), as the Punctuation splitter uses. */
    public static boolean isPunctuation(int cp) {
        if (cp < 0x80) {
            return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60)
                    || (cp >= 0x7B && cp <= 0x7E);
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
