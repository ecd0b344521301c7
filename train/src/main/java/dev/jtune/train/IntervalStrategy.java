package dev.jtune.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** When the trainer logs, evaluates or saves: never, every N optimizer steps, or at the end of each epoch. */
public enum IntervalStrategy {
    NO("no"),
    STEPS("steps"),
    EPOCH("epoch");

    private final String hfName;

    IntervalStrategy(String hfName) {
        this.hfName = hfName;
    }

    /** The name transformers uses ("no", "steps", "epoch"). */
    @JsonValue
    public String hfName() {
        return hfName;
    }

    @JsonCreator
    public static IntervalStrategy of(String name) {
        return Arrays.stream(values()).filter(s -> s.hfName.equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown interval strategy '" + name + "' (no, steps, epoch)"));
    }
}
