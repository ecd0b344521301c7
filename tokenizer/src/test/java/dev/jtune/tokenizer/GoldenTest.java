package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token-for-token agreement with Hugging Face's Rust tokenizers library (npm tokenizers 0.23.2), from
 * {@code ../shared/fixtures/tokenizers/<name>/golden.jsonl}: ids of {@code encode(text, add_special_tokens=false)}
 * and {@code decode(ids)}, 1,400 tweets and 215 edge cases per tokenizer.
 */
class GoldenTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "llama3", "qwen3", "gpt4o"})
    void idsAndDecodedTextMatchHuggingFaceTokenizers(String name) {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/tokenizers/" + name));
        assertAllMatch(tokenizer, SharedFixtures.jsonl("fixtures/tokenizers/" + name + "/golden.jsonl"), "decoded");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt2", "gpt2-pad"})
    void idsAndDecodedTextMatchTransformers(String dir) {
        Tokenizer tokenizer = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/hf/tokenizers/" + dir));
        assertAllMatch(tokenizer, SharedFixtures.jsonl("fixtures/hf/tokenizers/golden_plain.jsonl"), "decoded");
    }

    static void assertAllMatch(Tokenizer tokenizer, List<JsonNode> cases, String decodedField) {
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").textValue();
            int[] expected = SharedFixtures.ints(c.get("ids"));
            int[] actual = tokenizer.encode(text, false);
            String label = c.has("id") ? c.get("id").textValue() : "\"" + abbreviate(text) + "\"";
            if (!Arrays.equals(expected, actual)) {
                failures.add(label + ": ids " + Arrays.toString(actual) + ", expected " + Arrays.toString(expected));
            }
            String decoded = tokenizer.decode(expected);
            if (!decoded.equals(c.get(decodedField).textValue())) {
                failures.add(label + ": decoded \"" + abbreviate(decoded) + "\", expected \""
                        + abbreviate(c.get(decodedField).textValue()) + "\"");
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases differ; first ones:\n"
                + String.join("\n", failures.subList(0, Math.min(10, failures.size()))));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
