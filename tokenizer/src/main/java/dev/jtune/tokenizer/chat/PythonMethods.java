package dev.jtune.tokenizer.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} methods chat templates call ({@code content.startswith('<tool_response>')},
 * {@code content.split('</think>')[-1].lstrip('\n')}, {@code role.title()}) and {@code dict.get(key, default)}, for
 * jinjava, which otherwise calls the Java methods of the same name ({@code String.split} takes a regex) or finds none.
 */
final class PythonMethods extends ELResolver {

    /** Not one of ours: jinjava's resolvers take the call. */
    private static final Object NONE = new Object();

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] types, Object[] params) {
        if (!(method instanceof String name)) return null;
        Object[] args = params == null ? new Object[0] : params;
        Object result;
        if (base instanceof String s) {
            result = string(s, name, args);
        } else if (base instanceof Map<?, ?> map && name.equals("get") && args.length == 2) {
            result = map.containsKey(args[0]) ? map.get(args[0]) : args[1];
        } else {
            return null;
        }
        if (result == NONE) return null;
        context.setPropertyResolved(true);
        return result;
    }

    private static Object string(String s, String name, Object[] a) {
        return switch (name) {
            case "startswith" -> a.length == 1 ? anyOf(a[0], s::startsWith) : NONE;
            case "endswith" -> a.length == 1 ? anyOf(a[0], s::endsWith) : NONE;
            case "strip" -> a.length <= 1 ? rstrip(lstrip(s, chars(a)), chars(a)) : NONE;
            case "lstrip" -> a.length <= 1 ? lstrip(s, chars(a)) : NONE;
            case "rstrip" -> a.length <= 1 ? rstrip(s, chars(a)) : NONE;
            case "split" -> a.length <= 2 ? split(s, a.length > 0 ? (String) a[0] : null,
                    a.length > 1 ? ((Number) a[1]).intValue() : -1) : NONE;
            case "upper" -> a.length == 0 ? s.toUpperCase(Locale.ROOT) : NONE;
            case "lower" -> a.length == 0 ? s.toLowerCase(Locale.ROOT) : NONE;
            case "title" -> a.length == 0 ? title(s) : NONE;
            case "capitalize" -> a.length == 0 ? s.isEmpty() ? s
                    : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT) : NONE;
            case "replace" -> a.length == 2 ? s.replace(String.valueOf(a[0]), String.valueOf(a[1])) : NONE;
            case "find" -> a.length == 1 ? (long) s.indexOf(String.valueOf(a[0])) : NONE;
            case "count" -> a.length == 1 ? count(s, String.valueOf(a[0])) : NONE;
            case "join" -> a.length == 1 && a[0] instanceof Iterable<?> items ? join(s, items) : NONE;
            case "isdigit" -> a.length == 0 ? !s.isEmpty() && s.chars().allMatch(Character::isDigit) : NONE;
            default -> NONE;
        };
    }

    private static boolean anyOf(Object prefixes, java.util.function.Predicate<String> test) {
        if (prefixes instanceof Iterable<?> many) {
            for (Object p : many) if (test.test(String.valueOf(p))) return true;
            return false;
        }
        return test.test(String.valueOf(prefixes));
    }

    /** The characters to strip: the argument, or null for whitespace (Python's {@code strip()} and {@code strip(None)}). */
    private static String chars(Object[] a) {
        return a.length == 0 || a[0] == null ? null : String.valueOf(a[0]);
    }

    private static boolean strips(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) || Character.isSpaceChar(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strips(s.charAt(i), chars)) i++;
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strips(s.charAt(j - 1), chars)) j--;
        return s.substring(0, j);
    }

    /** Python's {@code str.split}: on a literal separator keeping empty parts, or on whitespace runs dropping them. */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0, n = s.length();
            while (true) {
                while (i < n && strips(s.charAt(i), null)) i++;
                if (i >= n) break;
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(rstrip(s.substring(i), null));
                    break;
                }
                int j = i;
                while (j < n && !strips(s.charAt(j), null)) j++;
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) throw new IllegalArgumentException("split: empty separator");
        int from = 0;
        for (int at = s.indexOf(sep); at >= 0 && (maxSplit < 0 || parts.size() < maxSplit); at = s.indexOf(sep, from)) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** Python's {@code str.title}: a letter after a non-letter is upper case, every other letter lower case. */
    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousCased = Character.isLetter(c);
        }
        return out.toString();
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) n++;
        return n;
    }

    private static String join(String sep, Iterable<?> items) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object item : items) {
            if (!first) out.append(sep);
            out.append(item);
            first = false;
        }
        return out.toString();
    }

    // ---- properties are left to jinjava's resolvers ----

    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
