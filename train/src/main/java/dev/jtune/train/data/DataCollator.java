package dev.jtune.train.data;

import java.util.List;
import java.util.Map;

/** Turns a list of dataset rows into model inputs, like transformers' {@code data_collator}. */
@FunctionalInterface
public interface DataCollator {

    ModelInputs apply(List<Map<String, Object>> examples);
}
