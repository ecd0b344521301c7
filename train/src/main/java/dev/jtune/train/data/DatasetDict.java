package dev.jtune.train.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** Named splits ({@code train}, {@code validation}, {@code test}) of one data set, like {@code datasets.DatasetDict}. */
public final class DatasetDict {

    private final Map<String, Dataset> splits;

    public DatasetDict(Map<String, Dataset> splits) {
        this.splits = Collections.unmodifiableMap(new LinkedHashMap<>(splits));
    }

    /** One split; the error lists the splits there are. */
    public Dataset get(String split) {
        Dataset d = splits.get(split);
        if (d == null) throw new IllegalArgumentException("DatasetDict: no split '" + split + "'; splits are " + splits.keySet());
        return d;
    }

    public boolean containsSplit(String split) {
        return splits.containsKey(split);
    }

    /** The split names in order. */
    public List<String> splitNames() {
        return List.copyOf(splits.keySet());
    }

    /** Every split transformed by {@code fn}. */
    public DatasetDict apply(Function<Dataset, Dataset> fn) {
        Map<String, Dataset> out = new LinkedHashMap<>();
        splits.forEach((name, d) -> out.put(name, fn.apply(d)));
        return new DatasetDict(out);
    }

    /** {@link Dataset#map(Function, MapOptions)} on every split. */
    public DatasetDict map(Function<Batch, Map<String, ?>> fn, MapOptions options) {
        return apply(d -> d.map(fn, options));
    }

    /** {@link Dataset#map(Function)} on every split. */
    public DatasetDict mapRows(Function<Map<String, Object>, Map<String, ?>> fn) {
        return apply(d -> d.map(fn));
    }

    /** {@link Dataset#filter} on every split. */
    public DatasetDict filter(Predicate<Map<String, Object>> predicate) {
        return apply(d -> d.filter(predicate));
    }

    @Override
    public String toString() {
        return "DatasetDict(" + splits + ")";
    }
}
