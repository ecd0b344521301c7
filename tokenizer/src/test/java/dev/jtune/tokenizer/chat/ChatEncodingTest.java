package dev.jtune.tokenizer.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jtune.tokenizer.AutoTokenizer;
import dev.jtune.tokenizer.SharedFixtures;
import dev.jtune.tokenizer.Tokenizer;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The assistant mask of a conversation, on Qwen3's tokenizer ({@code shared/fixtures/tokenizers/qwen3}). */
class ChatEncodingTest {

    static final List<Map<String, String>> CHAT = List.of(
            Map.of("role", "user", "content", "Hello!"),
            Map.of("role", "assistant", "content", "Hi! How can I help?"),
            Map.of("role", "user", "content", "What is 2+2? Ça va?"),
            Map.of("role", "assistant", "content", "  4, of course.\n"));

    @Test
    void masksExactlyTheTokensOfTheGenerationBlocks() throws IOException {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/tokenizers/qwen3"));
        ChatTemplate template = ChatTemplateGoldenTest.template("chatml-generation");
        ChatEncoding enc = ChatEncoding.encode(template, tokenizer, CHAT, false, Map.of());
        String text = template.apply(CHAT, false, tokenizer);
        assertArrayEquals(tokenizer.encode(text, false), enc.inputIds());
        // by the template: each block is the reply and its <|im_end|>; "<|im_start|>assistant\n" and "\n" are outside
        assertEquals("Hi! How can I help?<|im_end|>  4, of course.\n<|im_end|>",
                tokenizer.decode(IntStream.range(0, enc.inputIds().length).filter(i -> enc.assistantMask()[i] == 1)
                        .map(i -> enc.inputIds()[i]).toArray()));
        int imEnd = tokenizer.tokenToId("<|im_end|>");
        long markedEnds = IntStream.range(0, enc.inputIds().length)
                .filter(i -> enc.inputIds()[i] == imEnd && enc.assistantMask()[i] == 1).count();
        assertEquals(2, markedEnds, "the two assistant <|im_end|> are marked, the two user ones are not");
    }

    @Test
    void aTemplateWithoutGenerationBlocksMarksNothing() throws IOException {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/tokenizers/qwen3"));
        ChatTemplate template = ChatTemplate.fromPretrained(SharedFixtures.require("fixtures/tokenizers/qwen3"));
        ChatEncoding enc = ChatEncoding.encode(template, tokenizer, CHAT, false, Map.of());
        assertEquals(0, IntStream.of(enc.assistantMask()).sum());
        assertEquals(false, template.hasGenerationBlocks());
        assertEquals(true, ChatTemplateGoldenTest.template("chatml-generation").hasGenerationBlocks());
    }
}
