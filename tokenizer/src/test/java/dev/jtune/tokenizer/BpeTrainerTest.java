package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jtune.tokenizer.trainer.BpeTrainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer learns the frequent pairs first, is deterministic, and its tokenizer round-trips and saves. */
class BpeTrainerTest {

    private static final List<String> CORPUS = List.of("low lower lowest", "newer newest wider", "low low low",
            "the lowest newer", "<|endoftext|> new");

    @Test
    void learnsTheMostFrequentPairsFirstAfterSpecialTokensAndBytes() {
        Tokenizer t = BpeTrainer.train(CORPUS, new BpeTrainer.Config(256 + 1 + 5, 1, List.of("<|endoftext|>")));
        assertEquals(262, t.size());
        assertEquals(0, t.tokenToId("<|endoftext|>"));
        assertEquals(List.of("l", "o"), List.of(t.model().merges().get(0)),
                "'lo' and 'ow' both occur 8 times, the most; the tie goes to the smaller ids");
        assertArrayEquals(new int[] {0}, t.encode("<|endoftext|>"), "special tokens are matched whole");
    }

    @Test
    void trainingTwiceGivesTheSameVocabularyAndMerges() {
        BpeTrainer.Config config = new BpeTrainer.Config(300, 2, List.of("[PAD]"));
        Tokenizer a = BpeTrainer.train(CORPUS, config);
        Tokenizer b = BpeTrainer.train(CORPUS, config);
        assertEquals(a.model().vocab(), b.model().vocab());
        assertEquals(a.model().merges().stream().map(List::of).toList(),
                b.model().merges().stream().map(List::of).toList());
    }

    @Test
    void minFrequencyStopsRarePairs() {
        Tokenizer t = BpeTrainer.train(CORPUS, new BpeTrainer.Config(1000, 3, List.of()));
        assertTrue(t.size() < 1000);
        assertTrue(t.model().merges().size() > 0);
    }

    @Test
    void trainedTokenizerRoundTripsSavesAndReloads(@TempDir Path dir) throws IOException {
        List<String> corpus = Files.readAllLines(SharedFixtures.require("data/tweets-corpus.txt")).subList(0, 2000);
        Tokenizer t = BpeTrainer.train(corpus, new BpeTrainer.Config(1000, 2, List.of("<|endoftext|>")));
        assertEquals(1000, t.size());
        String text = corpus.get(7) + " ünïcödé 🤗";
        assertEquals(text, t.decode(t.encode(text)));
        t.savePretrained(dir);
        assertArrayEquals(t.encode(text), AutoTokenizer.fromPretrained(dir).encode(text));
    }
}
