package dev.jtune.tokenizer.trainer;

import dev.jtune.tokenizer.AddedToken;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.TokenizerSettings;
import dev.jtune.tokenizer.decoders.Decoder;
import dev.jtune.tokenizer.model.Bpe;
import dev.jtune.tokenizer.model.BpeOptions;
import dev.jtune.tokenizer.pretokenizers.ByteLevel;
import dev.jtune.tokenizer.processors.PostProcessor;
import dev.jtune.tokenizer.text.ByteAlphabet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns a byte-level BPE vocabulary from text, like Hugging Face's {@code BpeTrainer} with the byte alphabet:
 * ids are the special tokens, then the 256 byte characters, then one token per merge. Each step merges the most
 * frequent adjacent pair; ties go to the smaller pair of ids, so training is deterministic.
 */
public final class BpeTrainer {

    /**
     * @param vocabSize the size to stop at, special tokens and the 256 bytes included
     * @param minFrequency pairs seen fewer times than this are never merged
     * @param specialTokens tokens given the first ids, matched whole in text like any added token
     */
    public record Config(int vocabSize, int minFrequency, List<String> specialTokens) {
        public Config {
            specialTokens = List.copyOf(specialTokens);
            if (vocabSize < 256 + specialTokens.size()) {
                throw new IllegalArgumentException("vocab_size " + vocabSize + " is smaller than the 256 bytes plus "
                        + specialTokens.size() + " special tokens");
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("min_frequency must be at least 1, got " + minFrequency);
            }
        }
    }

    private static final ByteLevel PRE_TOKENIZER = new ByteLevel(false, true, true);

    private final Config config;
    private final List<String> idToToken = new ArrayList<>();
    private final Map<String, Integer> vocab = new LinkedHashMap<>();
    private final List<String[]> merges = new ArrayList<>();
    private int[][] words; // (W, *): each distinct word's current symbols
    private long[] wordCounts; // (W,)
    private final Map<Long, Long> pairCounts = new HashMap<>();
    private final Map<Long, Set<Integer>> pairWords = new HashMap<>();

    private BpeTrainer(Config config) {
        this.config = config;
    }

    /** Trains on {@code texts} and returns a GPT-2 style tokenizer (byte-level pre-tokenizer and decoder). */
    public static Tokenizer train(Iterable<String> texts, Config config) {
        return new BpeTrainer(config).run(texts);
    }

    private Tokenizer run(Iterable<String> texts) {
        config.specialTokens().forEach(this::addToken);
        String[] alphabet = ByteAlphabet.all();
        Arrays.sort(alphabet);
        Arrays.stream(alphabet).forEach(this::addToken);
        countWords(texts);
        learnMerges();
        List<AddedToken> added = config.specialTokens().stream()
                .map(t -> AddedToken.special(vocab.get(t), t)).toList();
        return new Tokenizer(null, PRE_TOKENIZER, new Bpe(vocab, merges, BpeOptions.BYTE_LEVEL),
                new PostProcessor.ByteLevel(true, false, true), new Decoder.ByteLevel(true, true, true), added,
                Map.of(), TokenizerSettings.NONE);
    }

    private void addToken(String token) {
        if (!vocab.containsKey(token)) {
            vocab.put(token, idToToken.size());
            idToToken.add(token);
        }
    }

    /** Pre-tokenizes every text and counts distinct words (sorted, so ids never depend on hashing). */
    private void countWords(Iterable<String> texts) {
        TreeMap<String, Long> counts = new TreeMap<>();
        for (String text : texts) {
            PRE_TOKENIZER.split(text, true, word -> counts.merge(word, 1L, Long::sum));
        }
        words = new int[counts.size()][];
        wordCounts = new long[counts.size()];
        int w = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            words[w] = e.getKey().chars().map(c -> vocab.get(String.valueOf((char) c))).toArray();
            wordCounts[w] = e.getValue();
            countPairs(w, +1);
            w++;
        }
    }

    private void learnMerges() {
        // Entries (count, pair); counts of existing pairs only fall, so a stale entry is re-queued when popped.
        PriorityQueue<long[]> queue = new PriorityQueue<>((x, y) ->
                x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
        pairCounts.forEach((pair, count) -> queue.add(new long[] {count, pair}));
        while (idToToken.size() < config.vocabSize() && !queue.isEmpty()) {
            long[] top = queue.poll();
            long current = pairCounts.getOrDefault(top[1], 0L);
            if (current != top[0]) {
                if (current > 0) {
                    queue.add(new long[] {current, top[1]});
                }
                continue;
            }
            if (current < config.minFrequency()) {
                break;
            }
            int left = (int) (top[1] >>> 32);
            int right = (int) top[1];
            String merged = idToToken.get(left) + idToToken.get(right);
            addToken(merged);
            merges.add(new String[] {idToToken.get(left), idToToken.get(right)});
            Set<Long> touched = new HashSet<>();
            for (int w : pairWords.remove(top[1])) {
                countPairs(w, -1);
                words[w] = mergeInWord(words[w], left, right, vocab.get(merged));
                touched.addAll(countPairs(w, +1));
            }
            for (long pair : touched) {
                long count = pairCounts.getOrDefault(pair, 0L);
                if (count > 0) {
                    queue.add(new long[] {count, pair});
                }
            }
        }
    }

    /** Adds (sign +1) or removes (-1) word {@code w}'s pairs from the counts; returns the pairs it has. */
    private List<Long> countPairs(int w, int sign) {
        int[] symbols = words[w];
        List<Long> pairs = new ArrayList<>(symbols.length);
        for (int i = 0; i + 1 < symbols.length; i++) {
            long pair = ((long) symbols[i] << 32) | symbols[i + 1];
            pairCounts.merge(pair, sign * wordCounts[w], Long::sum);
            if (sign > 0) {
                pairWords.computeIfAbsent(pair, p -> new HashSet<>()).add(w);
            }
            pairs.add(pair);
        }
        return pairs;
    }

    /** {@code symbols} with each non-overlapping occurrence of (left, right), from the left, replaced by merged. */
    static int[] mergeInWord(int[] symbols, int left, int right, int merged) {
        int[] out = new int[symbols.length];
        int n = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = symbols[i];
            }
        }
        return Arrays.copyOf(out, n);
    }
}
