package dev.jtune.tokenizer;

import dev.jtune.tokenizer.io.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the tokenizer saved in a model folder, as transformers' {@code AutoTokenizer.from_pretrained}. */
public final class AutoTokenizer {

    private AutoTokenizer() {}

    /**
     * Loads {@code dir}/tokenizer.json when present, else GPT-2's vocab.json + merges.txt; tokenizer_config.json and
     * special_tokens_map.json are read when present.
     *
     * @throws TokenizerException when the folder has neither, or a file is malformed or unsupported
     */
    public static Tokenizer fromPretrained(Path dir) {
        Path tokenizerJson = dir.resolve(TokenizerFiles.TOKENIZER_JSON);
        if (Files.isRegularFile(tokenizerJson)) {
            return TokenizerFiles.loadTokenizerJson(tokenizerJson);
        }
        Path vocab = dir.resolve("vocab.json");
        Path merges = dir.resolve("merges.txt");
        if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) {
            return TokenizerFiles.loadVocabAndMerges(vocab, merges);
        }
        throw new TokenizerException(dir + ": no tokenizer found: expected tokenizer.json, or vocab.json and "
                + "merges.txt");
    }
}
