package dev.jtune.app;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One change to a file's bytes, as a fuzzer makes them: cut, delete, insert or overwrite bytes, or replace one JSON
 * token (a key, a string, a number, true/false/null) by an awkward value, or repeat an object's first key. Positions
 * are fractions of the file, so one mutation applies to any file. Bytes are handled as ISO-8859-1 text, so binary
 * files (safetensors) survive the round trip.
 */
sealed interface FileMutation {

    byte[] apply(byte[] file);

    /** Values that break loaders in practice: huge, negative, fractional, wrong-typed, empty, control characters. */
    List<String> AWKWARD = List.of("0", "-1", "1", "2147483647", "-2147483648", "9223372036854775807", "1e309",
            "3.5", "-0.0", "\"\"", "\"x\"", "null", "true", "[]", "{}", "[1, 2]", "\"\\u0000\"", "\"\\uFEFF\"",
            "1000000", "\"model\"", "\"gpt2\"");

    Pattern TOKEN = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?|true|false|null");
    Pattern FIRST_KEY = Pattern.compile("\\{\\s*(\"(?:[^\"\\\\]|\\\\.)*\")\\s*:");

    record Truncate(double at) implements FileMutation {
        public byte[] apply(byte[] file) {
            return java.util.Arrays.copyOf(file, (int) (at * file.length));
        }
    }

    record Delete(double at, int length) implements FileMutation {
        public byte[] apply(byte[] file) {
            String s = text(file);
            int from = (int) (at * s.length()), to = Math.min(s.length(), from + length);
            return bytes(s.substring(0, from) + s.substring(to));
        }
    }

    record Insert(double at, String snippet) implements FileMutation {
        public byte[] apply(byte[] file) {
            String s = text(file);
            int i = (int) (at * s.length());
            return bytes(s.substring(0, i) + snippet + s.substring(i));
        }
    }

    record Overwrite(double at, byte value) implements FileMutation {
        public byte[] apply(byte[] file) {
            byte[] out = file.clone();
            if (out.length > 0) out[Math.min(out.length - 1, (int) (at * out.length))] = value;
            return out;
        }
    }

    record ReplaceToken(double which, String value) implements FileMutation {
        public byte[] apply(byte[] file) {
            return bytes(replaceNth(text(file), TOKEN, which, m -> value));
        }
    }

    record DuplicateKey(double which) implements FileMutation {
        public byte[] apply(byte[] file) {
            return bytes(replaceNth(text(file), FIRST_KEY, which, m -> "{" + m.group(1) + ": null, " + m.group(1) + ":"));
        }
    }

    static Arbitrary<FileMutation> any() {
        Arbitrary<Double> at = Arbitraries.doubles().between(0, 1);
        Arbitrary<String> snippet = Arbitraries.oneOf(Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\n",
                "\r\n", "\uFEFF", "{}", "  ", "\u0000"), Arbitraries.of(AWKWARD),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(8));
        return Arbitraries.oneOf(
                at.map(Truncate::new),
                Combinators.combine(at, Arbitraries.integers().between(1, 64)).as(Delete::new),
                Combinators.combine(at, snippet).as(Insert::new),
                Combinators.combine(at, Arbitraries.bytes()).as(Overwrite::new),
                Combinators.combine(at, Arbitraries.of(AWKWARD)).as(ReplaceToken::new),
                Combinators.combine(at, Arbitraries.of(AWKWARD)).as(ReplaceToken::new),
                at.map(DuplicateKey::new));
    }

    private static String replaceNth(String s, Pattern pattern, double which, java.util.function.Function<Matcher, String> by) {
        long count = pattern.matcher(s).results().count();
        if (count == 0) return s;
        long n = Math.min(count - 1, (long) (which * count));
        Matcher m = pattern.matcher(s);
        for (long i = 0; i <= n; i++) m.find();
        return s.substring(0, m.start()) + by.apply(m) + s.substring(m.end());
    }

    private static String text(byte[] file) {
        return new String(file, StandardCharsets.ISO_8859_1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
