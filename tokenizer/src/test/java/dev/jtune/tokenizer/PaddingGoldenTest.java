package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.tokenizer.io.TokenizerFiles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Padded and truncated batches agree with Hugging Face, ids and attention masks. */
class PaddingGoldenTest {

    /** transformers 5.17: {@code tokenizer(texts, padding="max_length", truncation=True, max_length=32)}. */
    @Test
    void maxLengthPaddingAndTruncationMatchTransformers() {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/hf/tokenizers/gpt2-pad"));
        List<JsonNode> cases = SharedFixtures.jsonl("fixtures/hf/tokenizers/golden_padded.jsonl");
        BatchEncoding batch = tokenizer.encode(cases.stream().map(c -> c.get("text").textValue()).toList(),
                Padding.maxLength(32), Truncation.maxLength(32));
        assertBatch(cases, batch, "input_ids");
    }

    /** Rust tokenizers 0.23.2 with the padding and truncation stored in tokenizer_padded.json (Fixed 32, right). */
    @Test
    void storedPaddingAndTruncationMatchHuggingFaceTokenizers() {
        Tokenizer tokenizer = TokenizerFiles.loadTokenizerJson(
                SharedFixtures.require("fixtures/tokenizers/gpt2/tokenizer_padded.json"));
        assertEquals(50257, tokenizer.padTokenId());
        List<JsonNode> cases = SharedFixtures.jsonl("fixtures/tokenizers/gpt2/padded.jsonl");
        BatchEncoding batch = tokenizer.encode(cases.stream().map(c -> c.get("text").textValue()).toList(), false,
                tokenizer.settings().padding(), tokenizer.settings().truncation());
        assertBatch(cases, batch, "ids");
    }

    private static void assertBatch(List<JsonNode> cases, BatchEncoding batch, String idsField) {
        assertEquals(cases.size(), batch.size());
        for (int i = 0; i < cases.size(); i++) {
            String label = "case " + i + " \"" + cases.get(i).get("text").textValue() + "\"";
            assertArrayEquals(SharedFixtures.ints(cases.get(i).get(idsField)), batch.inputIds()[i], label);
            assertArrayEquals(SharedFixtures.ints(cases.get(i).get("attention_mask")), batch.attentionMask()[i],
                    label);
        }
    }
}
