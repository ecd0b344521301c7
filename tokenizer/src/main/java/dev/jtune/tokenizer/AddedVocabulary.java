package dev.jtune.tokenizer;

import dev.jtune.tokenizer.text.Chars;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The added tokens and the matcher that cuts them out of text before normalization (tokens with
 * {@code normalized=false}) or after it ({@code normalized=true}). Matching is leftmost-longest and
 * non-overlapping, then {@code single_word}, {@code lstrip} and {@code rstrip} are applied as in Hugging Face's
 * {@code AddedVocabulary::find_matches}. Immutable.
 */
final class AddedVocabulary {

    private final List<AddedToken> tokens;
    private final Map<Integer, AddedToken> byId = new HashMap<>();
    private final Map<String, AddedToken> byContent = new HashMap<>();
    private final Matcher raw;
    private final Matcher normalized;

    AddedVocabulary(List<AddedToken> tokens) {
        this.tokens = List.copyOf(tokens);
        for (AddedToken t : tokens) {
            byId.put(t.id(), t);
            byContent.put(t.content(), t);
        }
        raw = new Matcher(tokens.stream().filter(t -> !t.normalized()).toList());
        normalized = new Matcher(tokens.stream().filter(AddedToken::normalized).toList());
    }

    /** This vocabulary with {@code token} added. */
    AddedVocabulary with(AddedToken token) {
        List<AddedToken> all = new ArrayList<>(tokens);
        all.add(token);
        return new AddedVocabulary(all);
    }

    List<AddedToken> tokens() {
        return tokens;
    }

    AddedToken byId(int id) {
        return byId.get(id);
    }

    AddedToken byContent(String content) {
        return byContent.get(content);
    }

    /**
     * A part of a text: an added token, or a stretch of text between added tokens.
     *
     * @param text  the stretch of text (null for a token)
     * @param token the added token (null for text)
     * @param first whether the part starts the whole text
     */
    record Part(String text, AddedToken token, boolean first) {}

    /** Cuts the non-normalized added tokens out of raw text. */
    List<Part> splitRaw(String text) {
        return raw.split(text, true);
    }

    /** Cuts the normalized added tokens out of normalized text (itself the text's start when {@code first}). */
    List<Part> splitNormalized(String text, boolean first) {
        return normalized.split(text, first);
    }

    /** Leftmost-longest matching of a fixed set of tokens. */
    private static final class Matcher {
        private final boolean[] firstChars = new boolean[Character.MAX_VALUE + 1];
        private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();

        Matcher(List<AddedToken> tokens) {
            for (AddedToken t : tokens) {
                char first = t.content().charAt(0);
                firstChars[first] = true;
                byFirstChar.computeIfAbsent(first, c -> new ArrayList<>()).add(t);
            }
            byFirstChar.values().forEach(l -> l.sort(Comparator.comparingInt((AddedToken t) -> -t.content().length())));
        }

        List<Part> split(String text, boolean first) {
            if (byFirstChar.isEmpty()) return List.of(new Part(text, null, first));
            List<Part> out = new ArrayList<>();
            int done = 0; // text before this index has been handed out
            int i = 0;
            while (i < text.length()) {
                AddedToken t = firstChars[text.charAt(i)] ? longestAt(text, i) : null;
                if (t == null) {
                    i++;
                    continue;
                }
                int start = i;
                int stop = i + t.content().length();
                i = stop;
                if (t.singleWord() && !isSingleWord(text, start, stop)) {
                    continue;
                }
                if (t.lstrip()) {
                    while (start > done && Chars.isWhiteSpace(text.codePointBefore(start))) {
                        start -= Character.charCount(text.codePointBefore(start));
                    }
                }
                if (t.rstrip()) {
                    while (stop < text.length() && Chars.isWhiteSpace(text.codePointAt(stop))) {
                        stop += Character.charCount(text.codePointAt(stop));
                    }
                    i = stop;
                }
                if (done < start) {
                    out.add(new Part(text.substring(done, start), null, first && done == 0));
                }
                out.add(new Part(null, t, false));
                done = stop;
            }
            if (done < text.length() || text.isEmpty()) {
                out.add(new Part(text.substring(done), null, first && done == 0));
            }
            return out;
        }

        private AddedToken longestAt(String text, int i) {
            for (AddedToken t : byFirstChar.get(text.charAt(i))) {
                if (text.startsWith(t.content(), i)) {
                    return t;
                }
            }
            return null;
        }

        private static boolean isSingleWord(String text, int start, int stop) {
            boolean startOk = start == 0 || !Chars.isAlphanumeric(text.codePointBefore(start));
            boolean stopOk = stop == text.length() || !Chars.isAlphanumeric(text.codePointAt(stop));
            return startOk && stopOk;
        }
    }
}
