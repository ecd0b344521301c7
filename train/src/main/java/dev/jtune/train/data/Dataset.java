package dev.jtune.train.data;

import dev.jtune.core.Generator;
import dev.jtune.core.kernels.Parallel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An immutable table of named columns with one value per row, like a Hugging Face {@code datasets.Dataset}: loaded
 * from files by {@link Datasets}, transformed by {@link #map}, {@link #filter}, {@link #shuffle}, {@link #select} and
 * friends, each returning a new dataset (rows are shared, not copied). Values are whatever the loader or a map
 * function produced: strings, boxed numbers, booleans, lists, maps, {@code int[]} token ids, or null.
 */
public final class Dataset {

    private final Map<String, List<Object>> columns;
    private final int size;

    /**
     * A dataset from columns of equal length (copied; nulls allowed).
     *
     * @throws IllegalArgumentException when the columns differ in length
     */
    public static Dataset fromColumns(Map<String, ? extends List<?>> columns) {
        Map<String, List<Object>> copy = new LinkedHashMap<>();
        int size = -1;
        String first = null;
        for (var e : columns.entrySet()) {
            if (size >= 0 && e.getValue().size() != size) {
                throw new IllegalArgumentException("Dataset: column '" + e.getKey() + "' has " + e.getValue().size()
                        + " rows but column '" + first + "' has " + size);
            }
            if (size < 0) {
                size = e.getValue().size();
                first = e.getKey();
            }
            copy.put(e.getKey(), Collections.unmodifiableList(new ArrayList<>(e.getValue())));
        }
        return new Dataset(copy, Math.max(size, 0));
    }

    /** A dataset from rows that all have the same keys, in the first row's order. */
    public static Dataset fromRows(List<? extends Map<String, ?>> rows) {
        Map<String, List<Object>> columns = new LinkedHashMap<>();
        if (!rows.isEmpty()) for (String name : rows.getFirst().keySet()) columns.put(name, new ArrayList<>(rows.size()));
        for (int i = 0; i < rows.size(); i++) {
            Map<String, ?> row = rows.get(i);
            if (!row.keySet().equals(columns.keySet())) {
                throw new IllegalArgumentException("Dataset.fromRows: row " + i + " has columns " + row.keySet()
                        + ", row 0 has " + columns.keySet());
            }
            for (var e : columns.entrySet()) e.getValue().add(row.get(e.getKey()));
        }
        return fromColumns(columns);
    }

    private Dataset(Map<String, List<Object>> columns, int size) {
        this.columns = Collections.unmodifiableMap(columns);
        this.size = size;
    }

    /** The number of rows ({@code len(dataset)}). */
    public int size() {
        return size;
    }

    /** The column names in order. */
    public List<String> columnNames() {
        return List.copyOf(columns.keySet());
    }

    /** One column's values (read-only). */
    public List<Object> column(String name) {
        List<Object> c = columns.get(name);
        if (c == null) throw new IllegalArgumentException("Dataset: no column '" + name + "'; columns are " + columns.keySet());
        return c;
    }

    /** Row {@code i} as a read-only map from column name to value. */
    public Map<String, Object> get(int i) {
        checkIndex(i, size, "Dataset row");
        Map<String, Object> row = new LinkedHashMap<>();
        columns.forEach((name, values) -> row.put(name, values.get(i)));
        return Collections.unmodifiableMap(row);
    }

    /** Rows {@code [start, end)} as a batch view. */
    public Batch batch(int start, int end) {
        return new Batch(columns, start, end);
    }

    /**
     * Applies {@code fn} to each row; the columns it returns (one value each) are added, replacing columns of the
     * same name, like {@code dataset.map(fn)}.
     */
    public Dataset map(Function<Map<String, Object>, Map<String, ?>> fn) {
        return map(batch -> {
            Map<String, ?> out = fn.apply(batch.row(0));
            Map<String, List<?>> wrapped = new LinkedHashMap<>();
            out.forEach((k, v) -> wrapped.put(k, Collections.singletonList(v)));
            return wrapped;
        }, MapOptions.batched().batchSize(1));
    }

    /**
     * Applies {@code fn} to batches of rows, like {@code dataset.map(fn, batched=True, batch_size=...)}. The function
     * returns columns as lists or arrays (an {@code int[][]} gives one {@code int[]} per row) with one value per row of
     * the batch; they are added, replacing columns of the same name, after {@code options.removeColumns()} are
     * dropped. With {@code numProc > 1} batches run in parallel; the row order is kept either way.
     */
    public Dataset map(Function<Batch, Map<String, ?>> fn, MapOptions options) {
        for (String name : options.removeColumns()) column(name);
        int batchSize = Math.max(1, options.batchSize() < 0 ? size : options.batchSize());
        int batches = (size + batchSize - 1) / batchSize;
        List<Map<String, List<Object>>> results = new ArrayList<>(Collections.nCopies(batches, null));
        Parallel.RangeBody body = (from, to) -> {
            for (int b = from; b < to; b++) {
                int start = b * batchSize, end = Math.min(size, start + batchSize);
                results.set(b, ColumnValues.normalize(fn.apply(batch(start, end)), end - start, start));
            }
        };
        if (options.numProc() > 1) {
            Parallel.forRange(batches, (batches + options.numProc() - 1) / options.numProc(), body);
        } else {
            body.run(0, batches);
        }
        Map<String, List<Object>> out = new LinkedHashMap<>(columns);
        for (String name : options.removeColumns()) out.remove(name);
        if (batches > 0) {
            for (String name : results.getFirst().keySet()) {
                List<Object> values = new ArrayList<>(size);
                for (int b = 0; b < batches; b++) {
                    List<Object> part = results.get(b).get(name);
                    if (part == null) {
                        throw new IllegalArgumentException("map: batch " + b + " did not return column '" + name
                                + "' that batch 0 returned");
                    }
                    values.addAll(part);
                }
                out.put(name, values);
            }
        }
        return fromColumns(out);
    }

    /** The rows for which {@code predicate} holds, in order. */
    public Dataset filter(Predicate<Map<String, Object>> predicate) {
        int[] keep = new int[size];
        int n = 0;
        for (int i = 0; i < size; i++) if (predicate.test(get(i))) keep[n++] = i;
        return select(Arrays.copyOf(keep, n));
    }

    /** The rows at {@code indices}, in that order (repeats allowed). */
    public Dataset select(int... indices) {
        Map<String, List<Object>> out = new LinkedHashMap<>();
        for (int i : indices) checkIndex(i, size, "Dataset.select index");
        columns.forEach((name, values) -> {
            List<Object> picked = new ArrayList<>(indices.length);
            for (int i : indices) picked.add(values.get(i));
            out.put(name, Collections.unmodifiableList(picked));
        });
        return new Dataset(out, indices.length);
    }

    /** Rows {@code [start, end)}. */
    public Dataset selectRange(int start, int end) {
        if (start < 0 || end > size || start > end) {
            throw new IndexOutOfBoundsException("Dataset.selectRange: range [" + start + ", " + end + ") of " + size + " rows");
        }
        int[] idx = new int[end - start];
        for (int i = 0; i < idx.length; i++) idx[i] = start + i;
        return select(idx);
    }

    /** The rows in a random order drawn from {@code seed} (the same seed gives the same order). */
    public Dataset shuffle(long seed) {
        return select(new Generator(seed).randperm(size));
    }

    /**
     * A random split into {@code train} and {@code test}, as {@code train_test_split(test_size, seed)}: a fraction in
     * (0, 1) takes {@code ceil(testSize * size)} rows for test, a whole number >= 1 takes that many.
     */
    public DatasetDict trainTestSplit(double testSize, long seed) {
        if (testSize <= 0 || (testSize >= 1 && testSize != Math.rint(testSize))) {
            throw new IllegalArgumentException("trainTestSplit: test size must be a fraction in (0, 1) or a whole number "
                    + "of rows, got " + testSize);
        }
        int nTest = testSize < 1 ? (int) Math.ceil(testSize * size) : (int) testSize;
        if (nTest >= size) {
            throw new IllegalArgumentException("trainTestSplit: test size " + testSize + " takes " + nTest + " of "
                    + size + " rows, leaving none for train");
        }
        int[] perm = new Generator(seed).randperm(size);
        Map<String, Dataset> splits = new LinkedHashMap<>();
        splits.put("train", select(Arrays.copyOfRange(perm, nTest, size)));
        splits.put("test", select(Arrays.copyOfRange(perm, 0, nTest)));
        return new DatasetDict(splits);
    }

    /** The same rows with column {@code from} named {@code to}, in the same place. */
    public Dataset renameColumn(String from, String to) {
        column(from);
        if (!from.equals(to) && columns.containsKey(to)) {
            throw new IllegalArgumentException("renameColumn: column '" + to + "' already exists");
        }
        Map<String, List<Object>> out = new LinkedHashMap<>();
        columns.forEach((name, values) -> out.put(name.equals(from) ? to : name, values));
        return new Dataset(out, size);
    }

    /** The same rows with columns renamed by {@code mapping} (old name to new name). */
    public Dataset renameColumns(Map<String, String> mapping) {
        Dataset d = this;
        for (var e : mapping.entrySet()) d = d.renameColumn(e.getKey(), e.getValue());
        return d;
    }

    /** The same rows without the given columns. */
    public Dataset removeColumns(String... names) {
        Map<String, List<Object>> out = new LinkedHashMap<>(columns);
        for (String name : names) {
            column(name);
            out.remove(name);
        }
        return new Dataset(out, size);
    }

    @Override
    public String toString() {
        return "Dataset({features: " + columns.keySet() + ", num_rows: " + size + "})";
    }

    private static void checkIndex(int i, int size, String what) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException(what + " " + i + " out of range for " + size + " rows");
    }
}
