package dev.jtune.train.data;

import java.util.List;

/**
 * The options of a batched {@link Dataset#map}, named as in {@code datasets}: {@code batch_size} (1000; -1 for the
 * whole dataset as one batch), {@code remove_columns}, and {@code num_proc} (how many batches may run at once).
 */
public record MapOptions(int batchSize, List<String> removeColumns, int numProc) {

    public MapOptions {
        if (batchSize == 0 || batchSize < -1) throw new IllegalArgumentException("map: batch_size must be positive or -1, got " + batchSize);
        if (numProc < 1) throw new IllegalArgumentException("map: num_proc must be >= 1, got " + numProc);
        removeColumns = List.copyOf(removeColumns);
    }

    /** Batches of 1000 rows, no column removed, one at a time. */
    public static MapOptions batched() {
        return new MapOptions(1000, List.of(), 1);
    }

    public MapOptions batchSize(int n) {
        return new MapOptions(n, removeColumns, numProc);
    }

    public MapOptions removeColumns(String... names) {
        return new MapOptions(batchSize, List.of(names), numProc);
    }

    public MapOptions numProc(int n) {
        return new MapOptions(batchSize, removeColumns, n);
    }
}
