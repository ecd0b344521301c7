package dev.jtune.app;

import dev.jtune.tokenizer.BatchEncoding;
import dev.jtune.tokenizer.Padding;
import dev.jtune.tokenizer.Tokenizer;
import dev.jtune.tokenizer.Truncation;
import dev.jtune.train.data.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {column}} placeholders of a text template from a row (an unknown column fails naming it), and
 * tokenizes the filled texts of a dataset as the walkthrough's batched map.
 */
final class Templates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    private Templates() {}

    /**
     * The template with each placeholder replaced by the row's value: a string, or an integer (a numeric label);
     * any other value (a float, a list, null) fails rather than being silently turned into text.
     */
    static String fill(String template, Map<String, Object> row) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String column = m.group(1);
            if (!row.containsKey(column)) {
                throw new IllegalArgumentException("template placeholder {" + column + "} names no column of the row "
                        + row.keySet());
            }
            Object value = row.get(column);
            if (!(value instanceof String || value instanceof Long || value instanceof Integer)) {
                throw new IllegalArgumentException("field '" + column + "' must be a string, got " + value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.toString()));
        }
        return m.appendTail(out).toString();
    }

    /** The function for {@code dataset.map(..., batched)}: each row's filled template to input_ids and attention_mask. */
    static Function<Batch, Map<String, ?>> encoder(Tokenizer tokenizer, String template, Padding padding,
                                                   Truncation truncation) {
        return batch -> {
            List<String> texts = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) texts.add(fill(template, batch.row(i)));
            BatchEncoding enc = tokenizer.encode(texts, false, padding, truncation);
            return Map.of("input_ids", enc.inputIds(), "attention_mask", enc.attentionMask());
        };
    }
}
