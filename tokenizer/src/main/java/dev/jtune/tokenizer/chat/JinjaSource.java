package dev.jtune.tokenizer.chat;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Rewrites two Jinja expressions that jinjava parses differently from Jinja2, in a way that means the same to both,
 * before jinjava sees the template:
 * <ul>
 *   <li>a keyword argument whose value has an operator, {@code namespace(i=messages|length - 1)}: jinjava binds
 *       {@code i=messages|length} first and then fails on {@code - 1}; the value is put in parentheses,
 *       {@code namespace(i=(messages|length - 1))}</li>
 *   <li>the reversing slice {@code xs[::-1]}, which jinjava cannot parse, becomes {@code (xs|reverse|list)}</li>
 * </ul>
 * Only text inside {@code {{ }}} and {@code {% %}} is touched, and never inside string literals.
 */
final class JinjaSource {

    private JinjaSource() {}

    static String rewrite(String template) {
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        while (i < template.length()) {
            int open = nextTagOpen(template, i);
            if (open < 0) {
                out.append(template, i, template.length());
                break;
            }
            out.append(template, i, open + 2);
            String close = template.charAt(open + 1) == '{' ? "}}" : template.charAt(open + 1) == '%' ? "%}" : "#}";
            int end = closeOf(template, open + 2, close);
            String inner = template.substring(open + 2, end);
            out.append(close.equals("#}") ? inner : reverseSlices(parenthesizeKeywordValues(inner)));
            i = end;
        }
        return out.toString();
    }

    private static int nextTagOpen(String s, int from) {
        for (int i = s.indexOf('{', from); i >= 0 && i + 1 < s.length(); i = s.indexOf('{', i + 1)) {
            char c = s.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    /** Where {@code close} ends the tag that starts at {@code from}, skipping string literals; the end when unclosed. */
    private static int closeOf(String s, int from, String close) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!close.equals("#}") && (c == '\'' || c == '"')) {
                i = stringEnd(s, i) - 1;
            } else if (s.startsWith(close, i)) {
                return i;
            }
        }
        return s.length();
    }

    /** The index after the string literal that opens at {@code start}. */
    private static int stringEnd(String s, int start) {
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') i++;
            else if (s.charAt(i) == quote) return i + 1;
        }
        return s.length();
    }

    /** {@code f(k=a - 1, j=b)} to {@code f(k=(a - 1), j=b)}: values that are more than a name or literal. */
    static String parenthesizeKeywordValues(String expr) {
        StringBuilder out = new StringBuilder(expr.length() + 8);
        Deque<Character> brackets = new ArrayDeque<>();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(expr, i);
                out.append(expr, i, end);
                i = end;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') brackets.push(c);
            if ((c == ')' || c == ']' || c == '}') && !brackets.isEmpty()) brackets.pop();
            out.append(c);
            i++;
            if (c == '=' && isKeywordAssignment(expr, i - 1) && !brackets.isEmpty() && brackets.peek() == '(') {
                int end = valueEnd(expr, i);
                String value = expr.substring(i, end);
                out.append(isSimple(value) ? value : "(" + parenthesizeKeywordValues(value) + ")");
                i = end;
            }
        }
        return out.toString();
    }

    /** The {@code =} at {@code eq} is a lone one after a name that follows {@code (} or {@code ,}. */
    private static boolean isKeywordAssignment(String s, int eq) {
        if (eq + 1 < s.length() && s.charAt(eq + 1) == '=') return false;
        int j = eq - 1;
        while (j >= 0 && s.charAt(j) == ' ') j--;
        if (j < 0 || !Character.isJavaIdentifierPart(s.charAt(j))) return false;
        while (j >= 0 && Character.isJavaIdentifierPart(s.charAt(j))) j--;
        while (j >= 0 && s.charAt(j) == ' ') j--;
        return j >= 0 && (s.charAt(j) == '(' || s.charAt(j) == ',');
    }

    /** The index of the {@code ,} or {@code )} that ends the argument value starting at {@code from}. */
    private static int valueEnd(String s, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) return i;
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return s.length();
    }

    private static boolean isSimple(String value) {
        return value.strip().matches("[\\w.]+|'[^']*'|\"[^\"]*\"");
    }

    /** {@code a.b[::-1]} to {@code (a.b|reverse|list)}. */
    static String reverseSlices(String expr) {
        String slice = "[::-1]";
        int at = indexOutsideStrings(expr, slice, 0);
        while (at >= 0) {
            int start = operandStart(expr, at);
            String operand = expr.substring(start, at);
            expr = expr.substring(0, start) + "(" + operand + "|reverse|list)" + expr.substring(at + slice.length());
            at = indexOutsideStrings(expr, slice, start);
        }
        return expr;
    }

    private static int indexOutsideStrings(String s, String needle, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') i = stringEnd(s, i) - 1;
            else if (s.startsWith(needle, i)) return i;
        }
        return -1;
    }

    /** Where the postfix expression ending at {@code end} (names, dots, calls and subscripts) starts. */
    private static int operandStart(String s, int end) {
        int i = end - 1;
        while (i >= 0) {
            char c = s.charAt(i);
            if (c == ')' || c == ']') {
                i = matchingOpen(s, i) - 1;
            } else if (Character.isJavaIdentifierPart(c) || c == '.') {
                i--;
            } else if (c == '\'' || c == '"') {
                int j = s.lastIndexOf(c, i - 1);
                i = j - 1;
            } else {
                break;
            }
        }
        return i + 1;
    }

    private static int matchingOpen(String s, int close) {
        char closing = s.charAt(close), opening = closing == ')' ? '(' : '[';
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            if (s.charAt(i) == closing) depth++;
            else if (s.charAt(i) == opening && --depth == 0) return i;
        }
        return 0;
    }
}
