package dev.jtune.tokenizer.text;

import java.nio.charset.StandardCharsets;

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
        return encode(text, 0, text.length());
    }

    /** {@code text.substring(start, end)} as UTF-8 bytes, each written as its alphabet character. */
    public static String encode(String text, int start, int end) {
        return encode(text, start, end, new char[end - start]);
    }

    /**
     * As {@link #encode(String, int, int)}, but ASCII text is mapped in {@code scratch} (at least {@code end - start}
     * long) rather than in a new array. A caller that encodes many words of one line passes one buffer for all of
     * them: the per-word array was an eighth of what tokenizing allocates, and on a fresh heap every allocated page
     * costs a page fault.
     */
    public static String encode(String text, int start, int end, char[] scratch) {
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return encodeUtf8(text.substring(start, end));
            }
            scratch[i - start] = BYTE_TO_CHAR[c];
        }
        return new String(scratch, 0, end - start);
    }

    private static String encodeUtf8(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** All 256 alphabet characters as one-character strings, in byte order. */
    public static String[] all() {
        return BYTE_TO_STRING.clone();
    }
}
