package dev.jtune.nn.peft;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps(obj, indent=2, sort_keys=True)} writes it (what PEFT's
 * {@code save_pretrained} uses for {@code adapter_config.json}): {@code "key": value}, one array item per line, empty
 * containers as {@code []} and {@code {}}, floats in {@code repr} form ({@code 0.0}, {@code 1e-05}), non-ASCII escaped.
 */
final class PythonJson {

    private PythonJson() {}

    /** The text of {@code node}, without a trailing newline. */
    static String dumps(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, 0, out);
        return out.toString();
    }

    private static void write(JsonNode node, int depth, StringBuilder out) {
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            keys.sort(null);  // Python sorts str keys by code point, as String.compareTo does for the BMP
            if (keys.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{");
            for (int i = 0; i < keys.size(); i++) {
                out.append(i == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
                string(keys.get(i), out);
                out.append(": ");
                write(node.get(keys.get(i)), depth + 1, out);
            }
            out.append("\n").append("  ".repeat(depth)).append("}");
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append("[");
            Iterator<JsonNode> items = node.elements();
            for (int i = 0; items.hasNext(); i++) {
                out.append(i == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
                write(items.next(), depth + 1, out);
            }
            out.append("\n").append("  ".repeat(depth)).append("]");
        } else if (node.isTextual()) {
            string(node.textValue(), out);
        } else if (node.isNull()) {
            out.append("null");
        } else if (node.isBoolean()) {
            out.append(node.booleanValue() ? "true" : "false");
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue());
        } else if (node.isNumber()) {
            out.append(floatRepr(node.doubleValue()));
        } else {
            throw new IllegalArgumentException("PythonJson: cannot write " + node.getNodeType());
        }
    }

    /** Python's {@code repr(float)}: the shortest digits, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "Infinity" : "-Infinity";
        if (v == 0) return (1 / v < 0) ? "-0.0" : "0.0";
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();  // the shortest round-trip digits
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();  // of the first digit
        String sign = v < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = d.abs().toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    private static final Map<Character, String> ESCAPES = Map.of('"', "\\\"", '\\', "\\\\", '\n', "\\n", '\r', "\\r",
            '\t', "\\t", '\b', "\\b", '\f', "\\f");

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String e = ESCAPES.get(c);
            if (e != null) out.append(e);
            else if (c < 0x20 || c > 0x7e) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        out.append('"');
    }
}
