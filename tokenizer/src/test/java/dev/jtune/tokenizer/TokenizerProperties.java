package dev.jtune.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Properties of encoding that hold for every input, on the real GPT-2 and Llama 3 tokenizers. */
class TokenizerProperties {

    private static Tokenizer gpt2;
    private static Tokenizer llama3;

    @BeforeContainer
    static void load() {
        gpt2 = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/hf/tokenizers/gpt2-pad"));
        llama3 = AutoTokenizer.fromPretrained(SharedFixtures.require("fixtures/tokenizers/llama3"));
    }

    @Provide
    static Arbitrary<String> unicodeText() {
        return UnicodeText.any();
    }

    @Property(tries = 500)
    void gpt2DecodeOfEncodeIsTheText(@ForAll("unicodeText") String text) {
        assertEquals(text, gpt2.decode(gpt2.encode(text)));
    }

    @Property(tries = 300)
    void llama3DecodeOfEncodeIsTheText(@ForAll("unicodeText") String text) {
        assertEquals(text, llama3.decode(llama3.encode(text, false)));
    }

    @Property(tries = 100)
    void encodingInABatchIsEncodingAlone(@ForAll @Size(max = 12) List<@net.jqwik.api.From("unicodeText") String> texts) {
        int[][] batch = gpt2.encodeBatch(texts, true);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(gpt2.encode(texts.get(i)), batch[i], "text " + i);
        }
    }

    @Property(tries = 200)
    void paddingAndTruncationKeepTheirInvariants(
            @ForAll @Size(min = 1, max = 6) List<@net.jqwik.api.From("unicodeText") String> texts,
            @ForAll Padding.Strategy strategy, @ForAll @IntRange(min = 1, max = 24) int maxLength,
            @ForAll @IntRange(min = 1, max = 8) int multiple, @ForAll Side paddingSide, @ForAll Side truncationSide,
            @ForAll boolean truncate) {
        Padding padding = new Padding(strategy, maxLength, multiple, paddingSide);
        Truncation truncation = truncate ? new Truncation(maxLength, truncationSide) : Truncation.none();
        BatchEncoding batch = gpt2.encode(texts, padding, truncation);
        int[][] alone = texts.stream().map(gpt2::encode).toArray(int[][]::new);
        int[] kept = Arrays.stream(alone).mapToInt(ids -> Math.min(ids.length, truncation.maxLength())).toArray();
        int longest = Arrays.stream(kept).max().orElse(0);
        for (int i = 0; i < texts.size(); i++) {
            int[] ids = batch.inputIds()[i];
            int[] mask = batch.attentionMask()[i];
            int expectedLength = switch (strategy) {
                case DO_NOT_PAD -> kept[i];
                case LONGEST -> roundUp(longest, multiple);
                case MAX_LENGTH -> Math.max(kept[i], roundUp(maxLength, multiple));
            };
            assertEquals(expectedLength, ids.length, "length of row " + i);
            assertEquals(ids.length, mask.length);
            assertEquals(kept[i], Arrays.stream(mask).sum(), "mask sum = real tokens, row " + i);
            int[] real = java.util.stream.IntStream.range(0, ids.length).filter(j -> mask[j] == 1)
                    .map(j -> ids[j]).toArray();
            int from = truncationSide == Side.LEFT && truncate ? alone[i].length - kept[i] : 0;
            assertArrayEquals(Arrays.copyOfRange(alone[i], from, from + kept[i]), real, "real tokens of row " + i);
            int firstReal = paddingSide == Side.LEFT ? ids.length - kept[i] : 0;
            for (int j = 0; j < ids.length; j++) {
                boolean isReal = j >= firstReal && j < firstReal + kept[i];
                assertEquals(isReal ? 1 : 0, mask[j], "mask of row " + i + " at " + j);
                if (!isReal) {
                    assertEquals(gpt2.padTokenId(), ids[j]);
                }
            }
        }
    }

    private static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
