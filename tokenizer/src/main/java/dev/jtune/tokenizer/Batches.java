package dev.jtune.tokenizer;

import java.util.Arrays;

/** Padding of a batch of id rows and its attention mask. */
final class Batches {

    private Batches() {}

    /** Pads {@code rows} (in place of a copy) with {@code padId} as {@code padding} says, and builds the mask. */
    static BatchEncoding pad(int[][] rows, Padding padding, int padId) {
        int longest = Arrays.stream(rows).mapToInt(r -> r.length).max().orElse(0);
        int target = padding.strategy() == Padding.Strategy.DO_NOT_PAD ? -1 : padding.targetLength(longest);
        int[][] ids = new int[rows.length][];
        int[][] mask = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            int[] row = rows[i];
            int length = Math.max(row.length, target);
            int offset = padding.side() == Side.LEFT ? length - row.length : 0;
            ids[i] = new int[length];
            mask[i] = new int[length];
            Arrays.fill(ids[i], padId);
            System.arraycopy(row, 0, ids[i], offset, row.length);
            Arrays.fill(mask[i], offset, offset + row.length, 1);
        }
        return new BatchEncoding(ids, mask);
    }
}
