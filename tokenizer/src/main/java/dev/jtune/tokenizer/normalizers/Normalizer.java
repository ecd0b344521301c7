package dev.jtune.tokenizer.normalizers;

import dev.jtune.tokenizer.text.Chars;
import dev.jtune.tokenizer.text.TextPattern;
import java.util.List;

/**
 * A text-to-text step applied before pre-tokenization (tokenizer.json's {@code normalizer}). Each record is one
 * Hugging Face normalizer with its JSON fields.
 */
public sealed interface Normalizer {

    String normalize(String text);

    /** NFC, NFD, NFKC or NFKD Unicode normalization. */
    record Unicode(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public String normalize(String text) {
            return java.text.Normalizer.normalize(text, form);
        }
    }

    /** Lowercase per code point, with Rust's full mappings (U+0130 becomes "i\u0307"; no final-sigma rule). */
    record Lowercase() implements Normalizer {
        @Override
        public String normalize(String text) {
            StringBuilder out = new StringBuilder(text.length());
            text.codePoints().forEach(cp -> {
                if (cp == 0x130) {
                    out.append("i\u0307");
                } else {
                    out.appendCodePoint(Character.toLowerCase(cp));
                }
            });
            return out.toString();
        }
    }

    /** Removes Unicode white space at the start ({@code left}) and/or end ({@code right}). */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public String normalize(String text) {
            int start = 0;
            int end = text.length();
            while (left && start < end && Chars.isWhiteSpace(text.codePointAt(start))) {
                start += Character.charCount(text.codePointAt(start));
            }
            while (right && end > start && Chars.isWhiteSpace(text.codePointBefore(end))) {
                end -= Character.charCount(text.codePointBefore(end));
            }
            return text.substring(start, end);
        }
    }

    /** Replaces every match of {@code pattern} with {@code content} (literally, no group references). */
    record Replace(TextPattern pattern, String content) implements Normalizer {
        @Override
        public String normalize(String text) {
            return pattern.compiled().matcher(text).replaceAll(java.util.regex.Matcher.quoteReplacement(content));
        }
    }

    /** Prepends {@code prepend} to any non-empty text. */
    record Prepend(String prepend) implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.isEmpty() ? text : prepend + text;
        }
    }

    /** Applies {@code normalizers} in order. */
    record Sequence(List<Normalizer> normalizers) implements Normalizer {
        public Sequence {
            normalizers = List.copyOf(normalizers);
        }

        @Override
        public String normalize(String text) {
            for (Normalizer n : normalizers) {
                text = n.normalize(text);
            }
            return text;
        }
    }
}
