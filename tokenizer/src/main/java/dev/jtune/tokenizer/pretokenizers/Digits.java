package dev.jtune.tokenizer.pretokenizers;

/** Splits ASCII digits from the rest: each digit alone ({@code individualDigits}) or runs of digits together. */
public record Digits(boolean individualDigits) implements PreTokenizer {

    @Override
    public void split(String piece, boolean first, Sink out) {
        SplitBehavior behavior = individualDigits ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS;
        behavior.emit(piece, first, Segments.ofCodePoints(cp -> cp >= '0' && cp <= '9', piece), out);
    }
}
