package dev.jtune.tokenizer.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ByteAlphabetTest {

    @Test
    void encodingARangeWritesTheAlphabetCharsOfItsUtf8BytesAsGetBytesDoes() {
        String[] texts = {"", "hi", " é", "€ 😀 x", "a\uD800b", "\uDC00", "x\uD83D", "\uD83D\uD83D\uDE00", "z\u07FF\u0800"};
        for (String text : texts) {
            for (int start = 0; start <= text.length(); start++) {
                for (int end = start; end <= text.length(); end++) {
                    byte[] bytes = text.substring(start, end).getBytes(StandardCharsets.UTF_8);
                    StringBuilder expected = new StringBuilder();
                    for (byte b : bytes) {
                        expected.append(ByteAlphabet.all()[b & 0xFF]);
                    }
                    char[] out = new char[ByteAlphabet.maxEncodedLength(end - start)];
                    int n = ByteAlphabet.encode(text, start, end, out);
                    assertEquals(expected.toString(), new String(out, 0, n), text + " [" + start + ", " + end + ")");
                }
            }
        }
    }
}
