package dev.jtune.tokenizer;

/**
 * How long sequences are cut, as transformers' {@code truncation=True, max_length=}: to at most {@code maxLength}
 * tokens including the special tokens the post-processor adds, dropping tokens from {@code side}.
 *
 * @param maxLength the longest allowed sequence; {@code Integer.MAX_VALUE} means no truncation
 * @param side the end tokens are dropped from (transformers' {@code truncation_side}, right by default)
 */
public record Truncation(int maxLength, Side side) {

    public Truncation {
        if (maxLength <= 0) {
            throw new IllegalArgumentException("truncation max_length must be positive, got " + maxLength);
        }
    }

    /** No truncation. */
    public static Truncation none() {
        return new Truncation(Integer.MAX_VALUE, Side.RIGHT);
    }

    /** Keep at most the first {@code maxLength} tokens. */
    public static Truncation maxLength(int maxLength) {
        return new Truncation(maxLength, Side.RIGHT);
    }

    public Truncation withSide(Side newSide) {
        return new Truncation(maxLength, newSide);
    }

    public boolean enabled() {
        return maxLength != Integer.MAX_VALUE;
    }

    /** {@code ids} cut so that, with {@code reserved} special tokens added later, at most maxLength remain. */
    int[] apply(int[] ids, int reserved) {
        int keep = Math.max(0, maxLength - reserved);
        if (!enabled() || ids.length <= keep) {
            return ids;
        }
        return side == Side.RIGHT
                ? java.util.Arrays.copyOf(ids, keep)
                : java.util.Arrays.copyOfRange(ids, ids.length - keep, ids.length);
    }
}
