package dev.jtune.tokenizer.pretokenizers;

import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text cut into consecutive ranges, each marked as a delimiter match or not: what Hugging Face's
 * {@code Pattern::find_matches} returns, before a {@link SplitBehavior} decides what to keep.
 */
final class Segments {

    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private boolean[] matches = new boolean[16];
    private int size;

    /** The matches of {@code regex} in {@code text} and the gaps between them; empty matches are kept. */
    static Segments ofRegex(Pattern regex, String text, boolean invert) {
        Segments s = new Segments();
        if (text.isEmpty()) {
            s.add(0, 0, false, invert);
            return s;
        }
        Matcher m = regex.matcher(text);
        int previous = 0;
        while (m.find()) {
            if (previous != m.start()) {
                s.add(previous, m.start(), false, invert);
            }
            s.add(m.start(), m.end(), true, invert);
            previous = m.end();
        }
        if (previous != text.length()) {
            s.add(previous, text.length(), false, invert);
        }
        return s;
    }

    /** Each code point of {@code text} that satisfies {@code isDelimiter} is a match of its own. */
    static Segments ofCodePoints(IntPredicate isDelimiter, String text) {
        Segments s = new Segments();
        if (text.isEmpty()) {
            s.add(0, 0, false, false);
            return s;
        }
        int last = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (isDelimiter.test(cp)) {
                if (last < i) {
                    s.add(last, i, false, false);
                }
                s.add(i, next, true, false);
                last = next;
            }
            i = next;
        }
        if (last < text.length()) {
            s.add(last, text.length(), false, false);
        }
        return s;
    }

    private void add(int start, int end, boolean match, boolean invert) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
            matches = Arrays.copyOf(matches, size * 2);
        }
        starts[size] = start;
        ends[size] = end;
        matches[size++] = match != invert;
    }

    int size() {
        return size;
    }

    int start(int i) {
        return starts[i];
    }

    int end(int i) {
        return ends[i];
    }

    boolean isMatch(int i) {
        return matches[i];
    }
}
