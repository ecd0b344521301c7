package dev.jtune.train.data;

import dev.jtune.core.Generator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Cuts a dataset into collated batches, like a PyTorch {@code DataLoader} over a sequential or random sampler. The
 * order of each epoch is a pure function of the seed and the epoch number (a fresh generator seeded once draws one
 * permutation per epoch), so training resumed mid-epoch sees exactly the batches it would have seen.
 */
public final class DataLoader {

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final DataCollator collator;

    public DataLoader(Dataset dataset, int batchSize, boolean shuffle, long seed, boolean dropLast, DataCollator collator) {
        if (batchSize < 1) throw new IllegalArgumentException("DataLoader: batch size must be >= 1, got " + batchSize);
        this.dataset = dataset;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        this.collator = collator;
    }

    /** Batches of {@code batchSize} rows in dataset order, the last one possibly smaller (for evaluation). */
    public static DataLoader sequential(Dataset dataset, int batchSize, DataCollator collator) {
        return new DataLoader(dataset, batchSize, false, 0, false, collator);
    }

    /** The number of batches per epoch ({@code len(dataloader)}). */
    public int size() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The number of rows of the dataset. */
    public int numExamples() {
        return dataset.size();
    }

    /** The row order of {@code epoch}: 0..n-1, or the epoch's random permutation. */
    public int[] order(int epoch) {
        int n = dataset.size();
        if (!shuffle) {
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            return order;
        }
        Generator g = new Generator(seed);
        int[] order = null;
        for (int e = 0; e <= epoch; e++) order = g.randperm(n);
        return order;
    }

    /** Batch {@code index} of an epoch whose row order is {@code order}, collated. */
    public ModelInputs batch(int[] order, int index) {
        if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("DataLoader: batch " + index + " of " + size());
        int start = index * batchSize, end = Math.min(order.length, start + batchSize);
        List<Map<String, Object>> rows = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) rows.add(dataset.get(order[i]));
        return collator.apply(rows);
    }

    /**
     * Part {@code part} of {@code parts} equal shares of batch {@code index}, collated: data parallelism's split of a
     * global batch across ranks (accelerate's sharding), so that the ranks together see exactly the single-process
     * batch. Null when the part has no row (the last batch of an epoch can be short).
     */
    public ModelInputs batchPart(int[] order, int index, int part, int parts) {
        if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("DataLoader: batch " + index + " of " + size());
        if (batchSize % parts != 0) {
            throw new IllegalArgumentException("DataLoader: batch " + batchSize + " does not split into " + parts + " parts");
        }
        int share = batchSize / parts;
        int start = Math.min(order.length, index * batchSize + part * share), end = Math.min(order.length, start + share);
        if (start == end) return null;
        List<Map<String, Object>> rows = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) rows.add(dataset.get(order[i]));
        return collator.apply(rows);
    }
}
