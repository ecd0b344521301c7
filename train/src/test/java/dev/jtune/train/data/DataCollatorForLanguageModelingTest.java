package dev.jtune.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataCollatorForLanguageModelingTest {

    @Test
    void padsToLongestAndMasksLabelsByAttentionMaskNotByTokenId() {
        // eos = pad = 9: the real trailing 9 of row 0 is learned, the padding 9s are not.
        var collator = new DataCollatorForLanguageModeling(9);
        ModelInputs b = collator.apply(List.of(
                Map.of("input_ids", new int[] {5, 6, 9}, "attention_mask", new int[] {1, 1, 1}),
                Map.of("input_ids", List.of(7L), "text", "ignored")));
        assertArrayEquals(new int[] {2, 3}, b.inputIds().shape());
        assertArrayEquals(new long[] {5, 6, 9, 7, 9, 9}, b.inputIds().toLongArray());
        assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0}, b.attentionMask().toLongArray());
        assertArrayEquals(new long[] {5, 6, 9, 7, -100, -100}, b.labels().toLongArray());
        assertEquals(2, b.numItems());
    }

    @Test
    void alreadyPaddedRowsKeepTheirMaskAndPadToMultiple() {
        var collator = new DataCollatorForLanguageModeling(0, 4);
        ModelInputs b = collator.apply(List.of(Map.of("input_ids", new int[] {3, 4, 0}, "attention_mask", new int[] {1, 1, 0})));
        assertArrayEquals(new long[] {3, 4, 0, 0}, b.inputIds().toLongArray());
        assertArrayEquals(new long[] {3, 4, -100, -100}, b.labels().toLongArray());
    }

    @Test
    void rowsWithTheirOwnLabelsKeepThemPaddedWithIgnoreIndex() {
        var collator = new DataCollatorForLanguageModeling(0);
        ModelInputs b = collator.apply(List.of(
                Map.of("input_ids", new int[] {3, 4, 5}, "labels", new int[] {-100, -100, 5}),
                Map.of("input_ids", new int[] {6})));
        assertArrayEquals(new long[] {-100, -100, 5, 6, -100, -100}, b.labels().toLongArray());
        assertEquals(1, b.numItems());
    }

    @Test
    void badRowsAreNamed() {
        var collator = new DataCollatorForLanguageModeling(0);
        var e = assertThrows(IllegalArgumentException.class, () -> collator.apply(List.of(Map.of("text", "x"))));
        assertEquals("DataCollatorForLanguageModeling: example 0 has no 'input_ids' column (columns [text])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> collator.apply(List.of(
                Map.of("input_ids", new int[] {1, 2}, "attention_mask", new int[] {1}))));
        assertEquals("DataCollatorForLanguageModeling: example 0 has 2 input_ids but 1 attention_mask values", e.getMessage());
    }
}
