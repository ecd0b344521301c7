package dev.jtune.train.optim;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The learning-rate schedules of transformers' {@code get_scheduler}, by their {@code lr_scheduler_type} names. */
public enum SchedulerType {
    LINEAR("linear"),
    COSINE("cosine"),
    CONSTANT("constant"),
    CONSTANT_WITH_WARMUP("constant_with_warmup");

    private final String hfName;

    SchedulerType(String hfName) {
        this.hfName = hfName;
    }

    /** The name in transformers' {@code SchedulerType} ("linear", ...). */
    @JsonValue
    public String hfName() {
        return hfName;
    }

    /** The type named {@code name} (transformers' spelling, case-insensitive). */
    @JsonCreator
    public static SchedulerType of(String name) {
        return Arrays.stream(values()).filter(t -> t.hfName.equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown lr_scheduler_type '" + name + "'; supported: "
                        + Arrays.stream(values()).map(SchedulerType::hfName).toList()));
    }
}
