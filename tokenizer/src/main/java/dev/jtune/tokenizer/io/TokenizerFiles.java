package dev.jtune.tokenizer.io;

import static dev.jtune.tokenizer.io.TokenizerJsonFields.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jtune.tokenizer.AddedToken;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.TokenizerException;
import dev.jtune.tokenizer.TokenizerSettings;
import dev.jtune.tokenizer.model.Bpe;
import dev.jtune.tokenizer.model.BpeOptions;
import dev.jtune.tokenizer.pretokenizers.ByteLevel;
import dev.jtune.tokenizer.processors.PostProcessor;
import dev.jtune.tokenizer.decoders.Decoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a tokenizer from the files Hugging Face writes (tokenizer.json, or GPT-2's vocab.json + merges.txt, with
 * tokenizer_config.json and special_tokens_map.json when present) and saves it back.
 */
public final class TokenizerFiles {

    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    public static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

    private TokenizerFiles() {}

    /** Loads {@code tokenizerJson} plus the config files beside it, if any. */
    public static Tokenizer loadTokenizerJson(Path tokenizerJson) {
        JsonFile file = JsonFile.read(tokenizerJson);
        TokenizerJsonReader reader = new TokenizerJsonReader(file);
        ComponentReader components = reader.components();
        Bpe model = reader.model();
        JsonNode n = reader.section(NORMALIZER);
        JsonNode p = reader.section(PRE_TOKENIZER);
        JsonNode post = reader.section(POST_PROCESSOR);
        JsonNode d = reader.section(DECODER);
        Config config = Config.read(tokenizerJson.getParent());
        List<AddedToken> added = config.withDecoderTokens(reader.addedTokens());
        if (reader.paddingToken() != null) {
            config.specialTokens.putIfAbsent(PAD_TOKEN, reader.paddingToken());
        }
        return new Tokenizer(
                n == null ? null : components.normalizer(n, NORMALIZER),
                p == null ? null : components.preTokenizer(p, PRE_TOKENIZER),
                model,
                post == null ? null : components.postProcessor(post, POST_PROCESSOR),
                d == null ? null : components.decoder(d, DECODER),
                added, config.specialTokens,
                new TokenizerSettings(reader.padding(), reader.truncation(), config.modelMaxLength));
    }

    /**
     * Loads GPT-2's original files: byte-level BPE with GPT-2's regex. The special tokens come from the config files
     * beside them, or default to GPT-2's {@code <|endoftext|>} as transformers' GPT2Tokenizer does.
     */
    public static Tokenizer loadVocabAndMerges(Path vocabJson, Path mergesTxt) {
        JsonFile vocabFile = JsonFile.read(vocabJson);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (var e : vocabFile.root().properties()) {
            vocab.put(e.getKey(), vocabFile.asInt(e.getValue(), e.getKey()));
        }
        List<String[]> merges = readMergesTxt(mergesTxt);
        Bpe model;
        try {
            model = new Bpe(vocab, merges, BpeOptions.BYTE_LEVEL);
        } catch (IllegalArgumentException e) {
            throw new TokenizerException(vocabJson.getFileName() + " + " + mergesTxt.getFileName() + " ("
                    + vocabJson.getParent() + "): " + e.getMessage());
        }
        Config config = Config.read(vocabJson.getParent());
        List<AddedToken> added = config.withDecoderTokens(List.of());
        if (config.specialTokens.isEmpty() && vocab.containsKey("<|endoftext|>")) {
            for (String attribute : List.of("bos_token", "eos_token", UNK_TOKEN)) {
                config.specialTokens.put(attribute, "<|endoftext|>");
            }
        }
        for (String content : config.specialTokens.values()) {
            Integer id = vocab.get(content);
            if (id != null && added.stream().noneMatch(t -> t.content().equals(content))) {
                added.add(AddedToken.special(id, content));
            }
        }
        return new Tokenizer(null, new ByteLevel(config.addPrefixSpace, true, true), model,
                new PostProcessor.ByteLevel(true, false, true), new Decoder.ByteLevel(true, true, true),
                added, config.specialTokens, new TokenizerSettings(null, null, config.modelMaxLength));
    }

    private static List<String[]> readMergesTxt(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new TokenizerException(path.getFileName() + " (" + path + "): cannot read: " + e.getMessage(), e);
        }
        List<String[]> merges = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if ((i == 0 && line.startsWith("#version")) || line.isEmpty()) {
                continue;
            }
            int lineNumber = i + 1;
            merges.add(MergesText.parse(line, () -> new TokenizerException(path.getFileName() + " (" + path
                    + "): line " + lineNumber + ": expected two tokens separated by one space, got \"" + line + "\"")));
        }
        return merges;
    }

    /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into {@code dir}. */
    public static void save(Tokenizer tokenizer, Path dir) throws IOException {
        TokenizerJsonWriter.save(tokenizer, dir);
    }

    /** What tokenizer_config.json and special_tokens_map.json say. */
    private static final class Config {
        final Map<String, String> specialTokens = new LinkedHashMap<>();
        final List<AddedToken> decoderTokens = new ArrayList<>();  // tokenizer_config.json's added_tokens_decoder
        Long modelMaxLength;
        boolean addPrefixSpace;

        /** Reads the config files in {@code dir}. */
        static Config read(Path dir) {
            Config c = new Config();
            Path configPath = dir.resolve(TOKENIZER_CONFIG);
            if (Files.exists(configPath)) {
                JsonFile file = JsonFile.read(configPath);
                c.readSpecialTokens(file);
                JsonNode max = file.root().get(MODEL_MAX_LENGTH);
                if (max != null && max.isNumber() && max.canConvertToLong()) {
                    c.modelMaxLength = max.longValue();
                }
                c.addPrefixSpace = file.bool(file.root(), ADD_PREFIX_SPACE, false, "$");
                JsonNode decoder = file.optionalObject(file.root(), ADDED_TOKENS_DECODER, "$");
                if (decoder != null) {
                    for (var e : decoder.properties()) {
                        int id = parseId(file, e.getKey());
                        c.decoderTokens.add(TokenizerJsonReader.addedToken(file, e.getValue(),
                                "added_tokens_decoder." + e.getKey(), id));
                    }
                }
            }
            Path mapPath = dir.resolve(SPECIAL_TOKENS_MAP);
            if (Files.exists(mapPath)) {
                c.readSpecialTokens(JsonFile.read(mapPath));
            }
            return c;
        }

        /** {@code added} followed by the decoder tokens whose ids it does not have yet, as a new list. */
        List<AddedToken> withDecoderTokens(List<AddedToken> added) {
            List<AddedToken> all = new ArrayList<>(added);
            for (AddedToken t : decoderTokens) {
                if (all.stream().noneMatch(a -> a.id() == t.id())) all.add(t);
            }
            return all;
        }

        private void readSpecialTokens(JsonFile file) {
            for (String attribute : Tokenizer.SPECIAL_TOKEN_ATTRIBUTES) {
                JsonNode v = file.root().get(attribute);
                if (v == null || v.isNull()) {
                    continue;
                }
                if (v.isTextual()) {
                    specialTokens.put(attribute, v.textValue());
                } else if (v.isObject()) {
                    specialTokens.put(attribute, file.string(v, CONTENT, attribute));
                } else {
                    throw file.error(attribute, "expected a string or {\"content\": ...}, got " + JsonFile.kind(v));
                }
            }
        }

        private static int parseId(JsonFile file, String key) {
            try {
                return Integer.parseInt(key);
            } catch (NumberFormatException e) {
                throw file.error(ADDED_TOKENS_DECODER, "key '" + key + "' is not a token id");
            }
        }
    }
}
