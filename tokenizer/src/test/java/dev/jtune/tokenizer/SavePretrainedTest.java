package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** add_special_tokens and save_pretrained behave as in transformers, and what is saved loads back the same. */
class SavePretrainedTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void addingAPadTokenAppendsOneIdAndSetsTheAttribute() {
        Tokenizer t = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/hf/tokenizers/gpt2"));
        assertEquals(50257, t.size());
        assertNull(t.padTokenId());
        assertEquals(1, t.addSpecialTokens(Map.of("pad_token", "[PAD]")));
        assertEquals(0, t.addSpecialTokens(Map.of("pad_token", "[PAD]")), "adding it again adds nothing");
        assertEquals(50258, t.size());
        assertEquals(50257, t.padTokenId());
        assertEquals(50256, t.eosTokenId());
        assertEquals("<|endoftext|>", t.bosToken());
        assertEquals("hi", t.decode(new int[] {50257, 5303, 50256}, true));
        assertEquals("[PAD]hi<|endoftext|>", t.decode(new int[] {50257, 5303, 50256}));
    }

    @Test
    void paddingWithoutAPadTokenFailsWithAHint() {
        Tokenizer t = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/hf/tokenizers/gpt2"));
        TokenizerException e = assertThrows(TokenizerException.class,
                () -> t.encode(List.of("a"), Padding.longest(), Truncation.none()));
        assertEquals(true, e.getMessage().contains("addSpecialTokens"));
    }

    /** transformers saved gpt2-pad after the same add_special_tokens call: our file must have the same content. */
    @Test
    void savedTokenizerJsonHasTheContentTransformersWrites() throws IOException {
        Tokenizer t = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/hf/tokenizers/gpt2"));
        t.addSpecialTokens(Map.of("pad_token", "[PAD]"));
        t.savePretrained(dir);
        JsonNode ours = JSON.readTree(dir.resolve("tokenizer.json").toFile());
        JsonNode theirs = JSON.readTree(SharedFixtures.require("fixtures/hf/tokenizers/gpt2-pad/tokenizer.json")
                .toFile());
        for (String section : List.of("added_tokens", "normalizer", "pre_tokenizer", "post_processor", "decoder",
                "padding", "truncation")) {
            assertEquals(theirs.get(section), ours.get(section), section);
        }
        for (String field : List.of("type", "vocab", "merges", "unk_token", "byte_fallback", "ignore_merges")) {
            assertEquals(theirs.get("model").get(field), ours.get("model").get(field), "model." + field);
        }
        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertEquals("[PAD]", config.get("pad_token").textValue());
        assertEquals(1024, config.get("model_max_length").intValue());
    }

    @Test
    void aSavedTokenizerLoadsBackToTheSameTokenizer() throws IOException {
        Tokenizer original = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/tokenizers/qwen3"));
        original.savePretrained(dir);
        Tokenizer reloaded = AutoTokenizer.fromPretrained(dir);
        assertEquals(original.size(), reloaded.size());
        assertEquals(original.specialTokens(), reloaded.specialTokens());
        assertEquals(original.addedTokens(), reloaded.addedTokens());
        GoldenTest.assertAllMatch(reloaded, SharedFixtures.jsonl("fixtures/tokenizers/qwen3/golden.jsonl"), "decoded");
    }
}
