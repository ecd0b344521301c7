package dev.jtune.tokenizer;

import dev.jtune.tokenizer.decoders.Decoder;
import dev.jtune.tokenizer.io.TokenizerFiles;
import dev.jtune.tokenizer.model.Bpe;
import dev.jtune.tokenizer.normalizers.Normalizer;
import dev.jtune.tokenizer.pretokenizers.PreTokenizer;
import dev.jtune.tokenizer.processors.PostProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A byte-level BPE tokenizer with the behaviour of a Hugging Face fast tokenizer: text is cut around added tokens,
 * normalized, pre-tokenized into words, each word BPE-encoded, and special tokens added by the post-processor; ids
 * are decoded back through the decoder. Load one with {@link AutoTokenizer#fromPretrained}.
 *
 * <p>Encoding is thread-safe. {@link #addSpecialTokens} changes the tokenizer (as in transformers) and must not run
 * concurrently with encoding.
 */
public final class Tokenizer {

    /** The special-token attributes of transformers, in its order. */
    public static final List<String> SPECIAL_TOKEN_ATTRIBUTES =
            List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Bpe model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final TokenizerSettings settings;
    private volatile AddedVocabulary added;
    private volatile Map<String, String> specialTokens;

    /**
     * @param normalizer, preTokenizer, postProcessor, decoder each may be null (tokenizer.json's {@code null})
     * @param specialTokens attribute ({@code "pad_token"}) to token content, for {@link #SPECIAL_TOKEN_ATTRIBUTES}
     */
    public Tokenizer(Normalizer normalizer, PreTokenizer preTokenizer, Bpe model, PostProcessor postProcessor,
                     Decoder decoder, List<AddedToken> addedTokens, Map<String, String> specialTokens,
                     TokenizerSettings settings) {
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        this.added = new AddedVocabulary(addedTokens);
        this.settings = settings;
        for (String attribute : specialTokens.keySet()) {
            if (!SPECIAL_TOKEN_ATTRIBUTES.contains(attribute)) {
                throw new TokenizerException("unknown special token attribute '" + attribute + "'; known: "
                        + SPECIAL_TOKEN_ATTRIBUTES);
            }
        }
        this.specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
    }

    // ---- encoding ----

    /** The ids of {@code text} with the post-processor's special tokens (transformers' {@code encode(text)}). */
    public int[] encode(String text) {
        return encode(text, true);
    }

    /** The ids of {@code text}; added tokens in the text are matched either way. */
    public int[] encode(String text, boolean addSpecialTokens) {
        return finish(tokenize(text), addSpecialTokens, Truncation.none());
    }

    /** Encodes a batch in parallel (order kept), with special tokens, truncated and padded as asked. */
    public BatchEncoding encode(List<String> texts, Padding padding, Truncation truncation) {
        return encode(texts, true, padding, truncation);
    }

    /** Encodes a batch in parallel (order kept), truncated and padded as transformers' {@code tokenizer(texts)}. */
    public BatchEncoding encode(List<String> texts, boolean addSpecialTokens, Padding padding,
                                Truncation truncation) {
        if (padding.strategy() != Padding.Strategy.DO_NOT_PAD && padTokenId() == null) {
            throw new TokenizerException("padding needs a pad token, and this tokenizer has none: "
                    + "call addSpecialTokens(Map.of(\"pad_token\", \"[PAD]\")) first");
        }
        int[][] ids = new int[texts.size()][];
        IntStream.range(0, texts.size()).parallel()
                .forEach(i -> ids[i] = finish(tokenize(texts.get(i)), addSpecialTokens, truncation));
        return Batches.pad(ids, padding, padding.strategy() == Padding.Strategy.DO_NOT_PAD ? -1 : padTokenId());
    }

    /** The ids of each text (with special tokens), encoded in parallel, order kept. */
    public int[][] encodeBatch(List<String> texts, boolean addSpecialTokens) {
        return encode(texts, addSpecialTokens, Padding.none(), Truncation.none()).inputIds();
    }

    private int[] finish(int[] ids, boolean addSpecialTokens, Truncation truncation) {
        if (!addSpecialTokens || postProcessor == null) {
            return truncation.apply(ids, 0);
        }
        return postProcessor.process(truncation.apply(ids, postProcessor.addedTokens()));
    }

    /**
     * The ids before post-processing, step by step: cut out the added tokens that match raw text, normalize the
     * rest, cut out the added tokens that match normalized text, pre-tokenize the rest into words, BPE each word.
     */
    private int[] tokenize(String text) {
        // Text averages about 4 characters per token, so this rarely grows, and a short text gets a short buffer.
        IntList ids = new IntList(text.length() / 3 + 8);
        PreTokenizer.Sink bpe = new BpeSink(model, ids);
        AddedVocabulary vocabulary = added;
        for (AddedVocabulary.Part raw : vocabulary.splitRaw(text)) {
            if (raw.token() != null) {
                ids.add(raw.token().id());
                continue;
            }
            String normalized = normalizer == null ? raw.text() : normalizer.normalize(raw.text());
            for (AddedVocabulary.Part part : vocabulary.splitNormalized(normalized, raw.first())) {
                if (part.token() != null) {
                    ids.add(part.token().id());
                } else if (preTokenizer == null) {
                    bpe.accept(part.text());
                } else {
                    preTokenizer.split(part.text(), part.first(), bpe);
                }
            }
        }
        return ids.toArray();
    }

    /** The last step: each word the pre-tokenizer hands over, BPE-tokenized into {@code ids}. */
    private record BpeSink(Bpe model, IntList ids) implements PreTokenizer.Sink {
        @Override
        public void accept(String word) {
            ids.addAll(model.tokenize(word));
        }

        @Override
        public void accept(char[] chars, int start, int end) {
            ids.addAll(model.tokenize(chars, start, end));
        }
    }

    // ---- decoding ----

    /** The text of {@code ids}, special tokens included. */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /**
     * The text of {@code ids}; with {@code skipSpecialTokens}, added tokens marked special are left out.
     *
     * @throws TokenizerException when an id is not in the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            AddedToken a = added.byId(id);
            if (a != null && a.special() && skipSpecialTokens) {
                continue;
            }
            tokens.add(a != null ? a.content() : idToToken(id));
        }
        return decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
    }

    /** The token string of {@code id}. */
    public String idToToken(int id) {
        AddedToken a = added.byId(id);
        String token = a != null ? a.content() : model.idToToken(id);
        if (token == null) {
            throw new TokenizerException("id " + id + " is not in the vocabulary (size " + size() + ")");
        }
        return token;
    }

    /** The id of {@code token} (an added token or a vocabulary entry), or null if it has none. */
    public Integer tokenToId(String token) {
        AddedToken a = added.byContent(token);
        return a != null ? Integer.valueOf(a.id()) : model.tokenToId(token);
    }

    /** The ids of {@code tokens}; an unknown token gets the unk token's id, or fails if there is none. */
    public int[] convertTokensToIds(List<String> tokens) {
        int[] ids = new int[tokens.size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = tokenToId(tokens.get(i));
            if (id == null) {
                id = unkTokenId();
            }
            if (id == null) {
                throw new TokenizerException("token '" + tokens.get(i) + "' is not in the vocabulary, and there is "
                        + "no unk_token");
            }
            ids[i] = id;
        }
        return ids;
    }

    /** The number of distinct ids: the vocabulary plus added tokens not in it (transformers' {@code len()}). */
    public int size() {
        int extra = 0;
        for (AddedToken t : added.tokens()) {
            if (!t.content().equals(model.idToToken(t.id()))) {
                extra++;
            }
        }
        return model.vocab().size() + extra;
    }

    // ---- special tokens ----

    /**
     * Sets special-token attributes as transformers' {@code add_special_tokens}: a token not yet known gets the next
     * id. Returns how many new ids were added.
     */
    public synchronized int addSpecialTokens(Map<String, String> attributes) {
        int count = 0;
        Map<String, String> updated = new LinkedHashMap<>(specialTokens);
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            if (!SPECIAL_TOKEN_ATTRIBUTES.contains(e.getKey())) {
                throw new TokenizerException("addSpecialTokens: unknown attribute '" + e.getKey() + "'; known: "
                        + SPECIAL_TOKEN_ATTRIBUTES);
            }
            String content = e.getValue();
            if (added.byContent(content) == null) {
                Integer existing = model.tokenToId(content);
                int id = existing != null ? existing : size();
                added = added.with(AddedToken.special(id, content));
                count += existing == null ? 1 : 0;
            }
            updated.put(e.getKey(), content);
        }
        specialTokens = Collections.unmodifiableMap(updated);
        return count;
    }

    /** Attribute ({@code "eos_token"}) to token content, for the attributes that are set. */
    public Map<String, String> specialTokens() {
        return specialTokens;
    }

    public String bosToken() {
        return specialTokens.get("bos_token");
    }

    public String eosToken() {
        return specialTokens.get("eos_token");
    }

    public String unkToken() {
        return specialTokens.get("unk_token");
    }

    public String padToken() {
        return specialTokens.get("pad_token");
    }

    public Integer bosTokenId() {
        return idOfAttribute("bos_token");
    }

    public Integer eosTokenId() {
        return idOfAttribute("eos_token");
    }

    public Integer unkTokenId() {
        return idOfAttribute("unk_token");
    }

    public Integer padTokenId() {
        return idOfAttribute("pad_token");
    }

    private Integer idOfAttribute(String attribute) {
        String token = specialTokens.get(attribute);
        return token == null ? null : tokenToId(token);
    }

    /** The ids of the added tokens marked special. */
    public Set<Integer> specialIds() {
        return added.tokens().stream().filter(AddedToken::special).map(AddedToken::id)
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    // ---- components and files ----

    public Normalizer normalizer() {
        return normalizer;
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    public Bpe model() {
        return model;
    }

    public PostProcessor postProcessor() {
        return postProcessor;
    }

    public Decoder decoder() {
        return decoder;
    }

    public List<AddedToken> addedTokens() {
        return added.tokens();
    }

    /** The padding, truncation and length settings stored with the files. */
    public TokenizerSettings settings() {
        return settings;
    }

    /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into {@code dir}. */
    public void savePretrained(Path dir) throws IOException {
        TokenizerFiles.save(this, dir);
    }
}
