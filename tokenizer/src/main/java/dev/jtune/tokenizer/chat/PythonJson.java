package dev.jtune.tokenizer.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;
import java.util.TreeMap;

/**
 * transformers' {@code tojson} filter: Python's {@code json.dumps(x, ensure_ascii=False, indent=indent,
 * separators=separators, sort_keys=sort_keys)}, so {@code {"name": "f", "n": 1}} with a space after each colon and
 * comma (jinjava's own {@code tojson} writes compact JSON, and Jinja2's escapes HTML characters).
 */
final class PythonJson implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
        return filter(value, interpreter, args, Map.of());
    }

    @Override
    public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        StringBuilder out = new StringBuilder();
        write(out, value, indent == null ? -1 : ((Number) indent).intValue(), 0, sortKeys);
        return out.toString();
    }

    /** {@code value} as json.dumps writes it; {@code indent} -1 for one line. */
    static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, -1, 0, false);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, int indent, int level, boolean sortKeys) {
        switch (v) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case Double d -> out.append(number(d));
            case Float f -> out.append(number(f.doubleValue()));
            case Number n -> out.append(n);
            case CharSequence s -> string(out, s.toString());
            case Map<?, ?> map -> {
                Map<?, ?> entries = sortKeys ? new TreeMap<>(map) : map;
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : entries.entrySet()) {
                    separator(out, first, indent, level + 1);
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), indent, level + 1, sortKeys);
                    first = false;
                }
                close(out, '}', first, indent, level);
            }
            case Iterable<?> items -> {
                out.append('[');
                boolean first = true;
                for (Object item : items) {
                    separator(out, first, indent, level + 1);
                    write(out, item, indent, level + 1, sortKeys);
                    first = false;
                }
                close(out, ']', first, indent, level);
            }
            case Object[] array -> write(out, java.util.Arrays.asList(array), indent, level, sortKeys);
            default -> string(out, v.toString());
        }
    }

    /** Before an item: ", " on one line (json.dumps's default separators), ",\n" and the indent otherwise. */
    private static void separator(StringBuilder out, boolean first, int indent, int level) {
        if (indent < 0) {
            if (!first) out.append(", ");
            return;
        }
        if (!first) out.append(',');
        out.append('\n').append(" ".repeat(indent * level));
    }

    private static void close(StringBuilder out, char bracket, boolean empty, int indent, int level) {
        if (indent >= 0 && !empty) out.append('\n').append(" ".repeat(indent * level));
        out.append(bracket);
    }

    /** Python's float repr: {@code 1.0}, {@code 0.5}, {@code 1e-05}, {@code 1e+16}. */
    private static String number(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == Math.rint(d) && Math.abs(d) < 1e16) return Long.toString((long) d) + ".0";
        String s = Double.toString(d);
        if (!s.contains("E")) return s;
        String mantissa = s.substring(0, s.indexOf('E')).replaceAll("\\.0$", "");
        int exponent = Integer.parseInt(s.substring(s.indexOf('E') + 1));
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    /** A JSON string with ensure_ascii=False: only quotes, backslashes and control characters are escaped. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
