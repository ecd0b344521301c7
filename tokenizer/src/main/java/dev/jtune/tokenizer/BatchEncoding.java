package dev.jtune.tokenizer;

/**
 * The result of encoding a batch: {@code input_ids} and {@code attention_mask} as transformers returns them
 * (1 for a real token, 0 for padding). Rows may differ in length when the batch is not padded.
 */
public record BatchEncoding(int[][] inputIds, int[][] attentionMask) {

    /** The number of sequences. */
    public int size() {
        return inputIds.length;
    }
}
