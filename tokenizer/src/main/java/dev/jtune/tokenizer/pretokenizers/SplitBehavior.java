package dev.jtune.tokenizer.pretokenizers;

/**
 * What a split does with the delimiters it finds (Hugging Face's {@code SplitDelimiterBehavior}): drop them, keep
 * each as its own piece, glue each to the piece before or after it, or glue runs of delimiters together.
 */
public enum SplitBehavior {
    REMOVED("Removed"),
    ISOLATED("Isolated"),
    MERGED_WITH_PREVIOUS("MergedWithPrevious"),
    MERGED_WITH_NEXT("MergedWithNext"),
    CONTIGUOUS("Contiguous");

    private final String jsonName;

    SplitBehavior(String jsonName) {
        this.jsonName = jsonName;
    }

    /** The name tokenizer.json uses. */
    public String jsonName() {
        return jsonName;
    }

    /** The behavior named {@code name} in tokenizer.json, or null. */
    public static SplitBehavior fromJson(String name) {
        for (SplitBehavior b : values()) {
            if (b.jsonName.equals(name)) {
                return b;
            }
        }
        return null;
    }

    /**
     * Emits the pieces of {@code text} given its segments (consecutive ranges covering it, each a delimiter match or
     * not), merged according to this behavior; empty pieces are dropped.
     */
    void emit(String text, boolean first, Segments segments, PreTokenizer.Sink out) {
        int n = segments.size();
        int[] start = new int[n];
        int[] end = new int[n];
        int count = 0;
        boolean previousMatch = false;
        if (this == MERGED_WITH_NEXT) {
            // Walk backwards so that a delimiter joins the piece after it.
            for (int i = n - 1; i >= 0; i--) {
                boolean match = segments.isMatch(i);
                if (match && !previousMatch && count > 0) {
                    start[count - 1] = segments.start(i);
                } else {
                    start[count] = segments.start(i);
                    end[count++] = segments.end(i);
                }
                previousMatch = match;
            }
            reverse(start, count);
            reverse(end, count);
        } else {
            for (int i = 0; i < n; i++) {
                boolean match = segments.isMatch(i);
                boolean join = switch (this) {
                    case CONTIGUOUS -> match == previousMatch && count > 0;
                    case MERGED_WITH_PREVIOUS -> match && !previousMatch && count > 0;
                    default -> false;
                };
                if (this == REMOVED && match) {
                    previousMatch = true;
                    continue;
                }
                if (join) {
                    end[count - 1] = segments.end(i);
                } else {
                    start[count] = segments.start(i);
                    end[count++] = segments.end(i);
                }
                previousMatch = match;
            }
        }
        for (int i = 0; i < count; i++) {
            if (end[i] > start[i]) {
                out.accept(text.substring(start[i], end[i]));
            }
        }
    }

    private static void reverse(int[] a, int count) {
        for (int i = 0, j = count - 1; i < j; i++, j--) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
