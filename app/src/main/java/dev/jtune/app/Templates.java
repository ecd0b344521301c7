package dev.jtune.app;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Fills {@code {column}} placeholders of a text template from a row; an unknown column fails naming it. */
final class Templates {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    private Templates() {}

    static String fill(String template, Map<String, Object> row) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object value = row.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("template placeholder {" + m.group(1) + "} names no column of the row "
                        + row.keySet());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value.toString()));
        }
        return m.appendTail(out).toString();
    }
}
