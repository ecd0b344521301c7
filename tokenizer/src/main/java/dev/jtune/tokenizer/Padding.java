package dev.jtune.tokenizer;

/**
 * How a batch is padded, as transformers' {@code padding=} argument: not at all, to the longest sequence of the
 * batch, or to {@code maxLength}; the target length is then rounded up to a multiple of {@code padToMultipleOf}.
 *
 * @param strategy none, longest or max_length
 * @param maxLength the target of {@link Strategy#MAX_LENGTH}; ignored otherwise
 * @param padToMultipleOf round the target length up to a multiple of this (1: no rounding)
 * @param side where pad tokens go (transformers' {@code padding_side}, right by default)
 */
public record Padding(Strategy strategy, int maxLength, int padToMultipleOf, Side side) {

    /** The three padding strategies of transformers. */
    public enum Strategy {
        DO_NOT_PAD, LONGEST, MAX_LENGTH
    }

    public Padding {
        if (strategy == Strategy.MAX_LENGTH && maxLength <= 0) {
            throw new IllegalArgumentException("padding max_length must be positive, got " + maxLength);
        }
        if (padToMultipleOf <= 0) {
            throw new IllegalArgumentException("pad_to_multiple_of must be positive, got " + padToMultipleOf);
        }
    }

    /** No padding. */
    public static Padding none() {
        return new Padding(Strategy.DO_NOT_PAD, 0, 1, Side.RIGHT);
    }

    /** Pad to the longest sequence of the batch, on the right. */
    public static Padding longest() {
        return new Padding(Strategy.LONGEST, 0, 1, Side.RIGHT);
    }

    /** Pad every sequence to {@code maxLength}, on the right. */
    public static Padding maxLength(int maxLength) {
        return new Padding(Strategy.MAX_LENGTH, maxLength, 1, Side.RIGHT);
    }

    public Padding withSide(Side newSide) {
        return new Padding(strategy, maxLength, padToMultipleOf, newSide);
    }

    public Padding withPadToMultipleOf(int multiple) {
        return new Padding(strategy, maxLength, multiple, side);
    }

    /** The length every sequence of a batch is padded to, given the longest one's. */
    int targetLength(int longest) {
        int target = switch (strategy) {
            case DO_NOT_PAD -> longest;
            case LONGEST -> longest;
            case MAX_LENGTH -> maxLength;
        };
        return (target + padToMultipleOf - 1) / padToMultipleOf * padToMultipleOf;
    }
}
