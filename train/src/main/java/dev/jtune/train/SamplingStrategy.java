package dev.jtune.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The order training rows are visited in: a new random permutation each epoch, or the dataset's own order. */
public enum SamplingStrategy {
    RANDOM("random"),
    SEQUENTIAL("sequential");

    private final String hfName;

    SamplingStrategy(String hfName) {
        this.hfName = hfName;
    }

    @JsonValue
    public String hfName() {
        return hfName;
    }

    @JsonCreator
    public static SamplingStrategy of(String name) {
        return Arrays.stream(values()).filter(s -> s.hfName.equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown train_sampling_strategy '" + name
                        + "' (random, sequential)"));
    }
}
