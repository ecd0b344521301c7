package dev.jtune.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Metrics reported once per micro-batch and logged as their mean over a logging interval, as TRL's trainers keep
 * {@code _metrics}: {@link #add} appends a value, {@link #set} replaces the list (a running total such as
 * {@code num_tokens}), {@link #drain} returns the means and starts over.
 */
public final class MetricLog {

    private final Map<String, List<Double>> values = new LinkedHashMap<>();

    /** Appends one value of {@code name}. */
    public void add(String name, double value) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    /** Makes {@code value} the only value of {@code name}. */
    public void set(String name, double value) {
        values.put(name, new ArrayList<>(List.of(value)));
    }

    /** The mean of each metric since the last drain, in the order first reported; then empties the log. */
    public Map<String, Double> drain() {
        Map<String, Double> means = new LinkedHashMap<>();
        values.forEach((name, list) -> means.put(name, list.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
        values.clear();
        return means;
    }
}
