package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken or unsupported files fail at load, and the message names the file and what is wrong in it. */
class MalformedFilesTest {

    @TempDir
    Path dir;

    private static final String VOCAB = "{\"a\": 0, \"b\": 1, \"ab\": 2}";

    private static String tokenizerJson(String preTokenizer, String model) {
        return "{\"version\": \"1.0\", \"added_tokens\": [], \"normalizer\": null, \"pre_tokenizer\": " + preTokenizer
                + ", \"post_processor\": null, \"decoder\": null, \"model\": " + model + "}";
    }

    private static String bpe(String vocab, String merges) {
        return "{\"type\": \"BPE\", \"vocab\": " + vocab + ", \"merges\": " + merges + "}";
    }

    private void assertLoadFails(String tokenizerJson, String... fragments) throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson);
        TokenizerException e = assertThrows(TokenizerException.class, () -> AutoTokenizer.fromPretrained(dir));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" should mention \"" + f + "\"");
        }
    }

    @Test
    void aValidMinimalFileLoads() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), tokenizerJson("null", bpe(VOCAB, "[\"a b\"]")));
        assertTrue(java.util.Arrays.equals(new int[] {2}, AutoTokenizer.fromPretrained(dir).encode("ab")));
    }

    @Test
    void truncatedJsonNamesTheFileAndLine() throws IOException {
        String full = tokenizerJson("null", bpe(VOCAB, "[\"a b\"]"));
        assertLoadFails(full.substring(0, full.length() / 2), "tokenizer.json", "malformed JSON", "line 1");
    }

    @Test
    void mergeNamingAnUnknownTokenNamesTheMerge() throws IOException {
        assertLoadFails(tokenizerJson("null", bpe(VOCAB, "[\"a c\"]")), "tokenizer.json", "model",
                "merge 0 'a c'", "token 'c' is not in the vocabulary");
    }

    @Test
    void mergeWhoseResultIsMissingNamesTheResult() throws IOException {
        assertLoadFails(tokenizerJson("null", bpe(VOCAB, "[[\"b\", \"a\"]]")), "token 'ba' is not in the vocabulary");
    }

    @Test
    void duplicateIdsNameBothTokens() throws IOException {
        assertLoadFails(tokenizerJson("null", bpe("{\"a\": 0, \"b\": 0}", "[]")), "tokenizer.json",
                "duplicate id 0", "'a'", "'b'");
    }

    @Test
    void duplicateVocabularyKeysAreRejected() throws IOException {
        assertLoadFails(tokenizerJson("null", bpe("{\"a\": 0, \"a\": 1}", "[]")), "tokenizer.json",
                "Duplicate field 'a'");
    }

    @Test
    void wrongTypesNameTheJsonPath() throws IOException {
        assertLoadFails(tokenizerJson("null", bpe("{\"a\": \"zero\"}", "[]")), "model.vocab.a",
                "expected an integer, got a string");
        assertLoadFails(tokenizerJson("null", bpe("[]", "[]")), "model.vocab", "expected an object, got an array");
        assertLoadFails(tokenizerJson("null", bpe(VOCAB, "[42]")), "model.merges[0]");
        assertLoadFails(tokenizerJson("{\"type\": \"ByteLevel\", \"add_prefix_space\": \"no\"}", bpe(VOCAB, "[]")),
                "pre_tokenizer.add_prefix_space", "expected true or false");
    }

    @Test
    void unsupportedModelsAndComponentsNameTheComponent() throws IOException {
        assertLoadFails(tokenizerJson("null", "{\"type\": \"WordPiece\", \"vocab\": {}}"), "tokenizer.json",
                "model.type", "unsupported model type 'WordPiece'");
        assertLoadFails(tokenizerJson("null", "{\"type\": \"Unigram\", \"vocab\": []}"), "'Unigram'");
        assertLoadFails(tokenizerJson("{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"BertPreTokenizer\"}]}",
                bpe(VOCAB, "[]")), "pre_tokenizer.pretokenizers[0]", "unsupported pre-tokenizer type 'BertPreTokenizer'");
        assertLoadFails(tokenizerJson("null", bpe(VOCAB, "[]")).replace("\"normalizer\": null",
                "\"normalizer\": {\"type\": \"BertNormalizer\"}"), "normalizer", "'BertNormalizer'");
        assertLoadFails(tokenizerJson("null", bpe(VOCAB, "[]")).replace("\"decoder\": null",
                "\"decoder\": {\"type\": \"WordPiece\"}"), "decoder", "unsupported decoder type 'WordPiece'");
        assertLoadFails(tokenizerJson("null", bpe(VOCAB, "[]")).replace("\"post_processor\": null",
                "\"post_processor\": {\"type\": \"BertProcessing\"}"), "post_processor", "'BertProcessing'");
    }

    @Test
    void regexJavaCannotCompileIsReported() throws IOException {
        assertLoadFails(tokenizerJson("{\"type\": \"Split\", \"pattern\": {\"Regex\": \"(unclosed\"}, "
                + "\"behavior\": \"Isolated\", \"invert\": false}", bpe(VOCAB, "[]")), "pre_tokenizer.pattern", "regex");
    }

    @Test
    void malformedMergesTxtNamesTheLine() throws IOException {
        Files.writeString(dir.resolve("vocab.json"), VOCAB);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\na b\nab\n");
        TokenizerException e = assertThrows(TokenizerException.class, () -> AutoTokenizer.fromPretrained(dir));
        assertTrue(e.getMessage().contains("merges.txt") && e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void aFolderWithoutTokenizerFilesSaysWhatItExpected() {
        TokenizerException e = assertThrows(TokenizerException.class, () -> AutoTokenizer.fromPretrained(dir));
        assertTrue(e.getMessage().contains("expected tokenizer.json, or vocab.json and merges.txt"), e.getMessage());
    }
}
