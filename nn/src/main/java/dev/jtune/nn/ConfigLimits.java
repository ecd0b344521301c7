package dev.jtune.nn;

import java.util.Map;

/** Range checks shared by the model configurations, so that an absurd size fails before anything is allocated. */
public final class ConfigLimits {

    /** The largest size a config.json may give ({@code n_embd}, {@code n_layer}, ...): no real model is bigger. */
    public static final int MAX_SIZE = 1 << 24;

    /** The most values one weight matrix may hold: a Java array's limit. */
    public static final long MAX_TENSOR_VALUES = Integer.MAX_VALUE - 8;

    private ConfigLimits() {}

    /** Fails unless every size is at least 1, naming the first that is not. */
    public static void positive(String config, Map<String, Integer> sizes) {
        sizes.forEach((name, v) -> {
            if (v < 1) throw new IllegalArgumentException(config + ": " + name + " must be at least 1, got " + v);
        });
    }

    /** Fails when a {@code rows x cols} weight would hold more values than a Java array can. */
    public static void tensor(String config, String what, long rows, long cols) {
        if (rows * cols > MAX_TENSOR_VALUES) {
            throw new IllegalArgumentException(config + ": " + what + " would hold " + rows * cols
                    + " values, more than one array holds (" + MAX_TENSOR_VALUES + ")");
        }
    }
}
