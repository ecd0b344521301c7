package dev.jtune.tokenizer.model;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A BPE model: turns one pre-tokenized word into token ids by splitting it into characters and applying the merges
 * in rank order, lowest rank and then leftmost first, exactly as Hugging Face's {@code BPE::merge_word}. Results are
 * cached per word (thread-safe), which is what makes real text fast: most words repeat.
 */
public final class Bpe {

    /**
     * Words cached at most (about 30 MB when full); beyond that, new words are merged every time, as Hugging Face
     * does with its 10,000. The 12 MB tweet corpus has 177k distinct GPT-2 words, so it fits.
     */
    private static final int CACHE_CAPACITY = 1 << 18;

    private final Map<String, Integer> vocab;
    private final String[] idToToken;
    private final int[][] merges; // (M, 2): the merge pairs in rank order
    private final MergeTable mergeTable;
    private final BpeOptions options;
    private final int[] bmpCharIds; // a one-character word symbol's id, -1 when absent; null with prefix/suffix
    private final WordCache cache = new WordCache(CACHE_CAPACITY);

    /** How many ids a vocabulary may leave unused: ids are an array index, so an absurd id is refused, not allocated. */
    private static final int MAX_ID_GAP = 1 << 20;

    /**
     * @param vocab token to id; ids must be distinct, non-negative and below the vocabulary size + 2^20
     * @param merges the merges in rank order, each a pair of tokens whose concatenation is in the vocabulary
     * @throws IllegalArgumentException naming the merge or id at fault
     */
    public Bpe(Map<String, Integer> vocab, List<String[]> merges, BpeOptions options) {
        this.vocab = Collections.unmodifiableMap(new LinkedHashMap<>(vocab));
        this.options = options;
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        if (maxId >= vocab.size() + MAX_ID_GAP) {
            throw new IllegalArgumentException("id " + maxId + " is far beyond the " + vocab.size() + " tokens of the "
                    + "vocabulary (ids must be below " + (vocab.size() + MAX_ID_GAP) + ")");
        }
        idToToken = new String[maxId + 1];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (id < 0) {
                throw new IllegalArgumentException("token '" + e.getKey() + "' has negative id " + id);
            }
            if (idToToken[id] != null) {
                throw new IllegalArgumentException(
                        "duplicate id " + id + ": tokens '" + idToToken[id] + "' and '" + e.getKey() + "'");
            }
            idToToken[id] = e.getKey();
        }
        if (options.unkToken() != null && !vocab.containsKey(options.unkToken())) {
            throw new IllegalArgumentException("unk_token '" + options.unkToken() + "' is not in the vocabulary");
        }
        this.merges = new int[merges.size()][];
        mergeTable = new MergeTable(merges.size());
        int prefixLength = options.continuingSubwordPrefix() == null ? 0 : options.continuingSubwordPrefix().length();
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] pair = merges.get(rank);
            int left = idOf(pair[0], rank, pair);
            int right = idOf(pair[1], rank, pair);
            String mergedToken = pair[0] + pair[1].substring(Math.min(prefixLength, pair[1].length()));
            int merged = idOf(mergedToken, rank, pair);
            this.merges[rank] = new int[] {left, right};
            mergeTable.put(left, right, rank, merged);
        }
        bmpCharIds = options.continuingSubwordPrefix() == null && options.endOfWordSuffix() == null
                ? bmpCharIds(vocab) : null;
    }

    private int idOf(String token, int rank, String[] pair) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("merge " + rank + " '" + pair[0] + " " + pair[1] + "': token '"
                    + token + "' is not in the vocabulary");
        }
        return id;
    }

    private static int[] bmpCharIds(Map<String, Integer> vocab) {
        int[] ids = new int[Character.MAX_VALUE + 1];
        Arrays.fill(ids, -1);
        vocab.forEach((token, id) -> {
            if (token.length() == 1) {
                ids[token.charAt(0)] = id;
            }
        });
        return ids;
    }

    /**
     * The token ids of one word (a pre-token, already in the vocabulary's alphabet); as {@link #tokenize(char[], int,
     * int)}, the array may be the cached one.
     */
    public int[] tokenize(String word) {
        return tokenize(word.toCharArray(), 0, word.length());
    }

    /**
     * The token ids of the word {@code chars[start, end)}. A word already in the cache costs no allocation; the
     * returned array may be the cached one, so the caller must not change it.
     */
    public int[] tokenize(char[] chars, int start, int end) {
        if (start == end) {
            return new int[0];
        }
        // ignore_merges words found whole in the vocabulary are cached too: either way the ids depend only on the word.
        int[] ids = cache.get(chars, start, end);
        if (ids == null) {
            ids = tokenizeUncached(new String(chars, start, end - start));
            cache.put(chars, start, end, ids);
        }
        return ids;
    }

    private int[] tokenizeUncached(String word) {
        if (options.ignoreMerges()) {
            Integer id = vocab.get(word);
            if (id != null) {
                return new int[] {id};
            }
        }
        return BpeMerger.mergeAll(initialSymbols(word), mergeTable);
    }

    /** The word split into symbols before any merge: one per character, with the unknown ones handled. */
    private int[] initialSymbols(String word) {
        int[] known = bmpCharIds == null ? null : knownBmpSymbols(word);
        if (known != null) {
            return known;
        }
        int[] symbols = new int[word.length() * 4]; // byte fallback emits at most 4 per char
        int n = 0;
        int unkRun = 0; // pending unknown characters (fused when fuse_unk)
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int end = i + Character.charCount(cp);
            int id = symbolId(word, i, end);
            if (id >= 0) {
                n = flushUnk(symbols, n, unkRun);
                unkRun = 0;
                symbols[n++] = id;
            } else {
                int fallback = options.byteFallback() ? appendBytes(symbols, n, word.substring(i, end)) : -1;
                if (fallback >= 0) {
                    n = flushUnk(symbols, n, unkRun);
                    unkRun = 0;
                    n = fallback;
                } else if (options.unkToken() != null) {
                    if (unkRun > 0 && !options.fuseUnk()) {
                        n = flushUnk(symbols, n, unkRun);
                        unkRun = 0;
                    }
                    unkRun++;
                }
            }
            i = end;
        }
        n = flushUnk(symbols, n, unkRun);
        return Arrays.copyOf(symbols, n);
    }

    /**
     * The common case of {@link #initialSymbols} without its worst-case buffer: every character is in the basic plane
     * and in the vocabulary (always so for byte-level models). Null when one is not.
     */
    private int[] knownBmpSymbols(String word) {
        int[] symbols = new int[word.length()];
        for (int i = 0; i < symbols.length; i++) {
            int id = bmpCharIds[word.charAt(i)];
            if (id < 0 || Character.isSurrogate(word.charAt(i))) {
                return null;
            }
            symbols[i] = id;
        }
        return symbols;
    }

    private int symbolId(String word, int start, int end) {
        if (bmpCharIds != null && end == start + 1) {
            return bmpCharIds[word.charAt(start)];
        }
        String symbol = word.substring(start, end);
        if (start > 0 && options.continuingSubwordPrefix() != null) {
            symbol = options.continuingSubwordPrefix() + symbol;
        }
        if (end == word.length() && options.endOfWordSuffix() != null) {
            symbol = symbol + options.endOfWordSuffix();
        }
        Integer id = vocab.get(symbol);
        return id == null ? -1 : id;
    }

    private int flushUnk(int[] symbols, int n, int unkRun) {
        if (unkRun > 0) {
            symbols[n++] = vocab.get(options.unkToken());
        }
        return n;
    }

    /** Appends the {@code <0xAB>} tokens of {@code ch}'s bytes; returns the new length, or -1 if one is missing. */
    private int appendBytes(int[] symbols, int n, String ch) {
        for (byte b : ch.getBytes(StandardCharsets.UTF_8)) {
            Integer id = vocab.get(String.format("<0x%02X>", b & 0xFF));
            if (id == null) {
                return -1;
            }
            symbols[n++] = id;
        }
        return n;
    }

    /** The token of {@code id}, or null when the model has no such id. */
    public String idToToken(int id) {
        return id >= 0 && id < idToToken.length ? idToToken[id] : null;
    }

    /** The id of {@code token}, or null. */
    public Integer tokenToId(String token) {
        return vocab.get(token);
    }

    /** Token to id, in the order the file gave them. */
    public Map<String, Integer> vocab() {
        return vocab;
    }

    /** The merges in rank order as (left, right) token strings. */
    public List<String[]> merges() {
        return Arrays.stream(merges).map(p -> new String[] {idToToken[p[0]], idToToken[p[1]]}).toList();
    }

    public BpeOptions options() {
        return options;
    }
}
