package dev.jtune.tokenizer.text;

/**
 * GPT-2's reversible map between the 256 byte values and 256 printable characters ({@code bytes_to_unicode}):
 * byte-level BPE works on UTF-8 bytes but stores its vocabulary as text, so byte 0x20 (space) is written 'Ġ'.
 */
public final class ByteAlphabet {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final short[] CHAR_TO_BYTE = new short[324]; // the highest mapped char is U+0143
    private static final String[] BYTE_TO_STRING = new String[256];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, (short) -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = (short) b;
            BYTE_TO_STRING[b] = String.valueOf(c);
        }
    }

    private ByteAlphabet() {}

    /** The byte that {@code c} stands for, or -1 when {@code c} is not in the alphabet. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** {@code text} as UTF-8 bytes, each written as its alphabet character. */
    public static String encode(String text) {
        char[] out = new char[maxEncodedLength(text.length())];
        return new String(out, 0, encode(text, 0, text.length(), out));
    }

    /** The most chars that {@link #encode(String, int, int, char[])} writes for {@code length} chars of text. */
    public static int maxEncodedLength(int length) {
        return 3 * length; // a char takes at most 3 UTF-8 bytes; a surrogate pair takes 4 for 2 chars
    }

    /**
     * Writes {@code text.substring(start, end)} as UTF-8 bytes, each as its alphabet character, into {@code out} (at
     * least {@link #maxEncodedLength} long) from index 0, and returns the number written. Encodes exactly as
     * {@code getBytes(UTF_8)} does, a lone surrogate included ('?'), but without allocating: a caller encodes all the
     * words of a line into one buffer.
     */
    public static int encode(String text, int start, int end, char[] out) {
        int n = 0;
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                out[n++] = BYTE_TO_CHAR[c];
            } else if (c < 0x800) {
                out[n++] = BYTE_TO_CHAR[0xC0 | c >> 6];
                out[n++] = BYTE_TO_CHAR[0x80 | c & 0x3F];
            } else if (!Character.isSurrogate(c)) {
                out[n++] = BYTE_TO_CHAR[0xE0 | c >> 12];
                out[n++] = BYTE_TO_CHAR[0x80 | c >> 6 & 0x3F];
                out[n++] = BYTE_TO_CHAR[0x80 | c & 0x3F];
            } else if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                out[n++] = BYTE_TO_CHAR[0xF0 | cp >> 18];
                out[n++] = BYTE_TO_CHAR[0x80 | cp >> 12 & 0x3F];
                out[n++] = BYTE_TO_CHAR[0x80 | cp >> 6 & 0x3F];
                out[n++] = BYTE_TO_CHAR[0x80 | cp & 0x3F];
            } else {
                out[n++] = BYTE_TO_CHAR['?'];
            }
        }
        return n;
    }

    /** All 256 alphabet characters as one-character strings, in byte order. */
    public static String[] all() {
        return BYTE_TO_STRING.clone();
    }
}
