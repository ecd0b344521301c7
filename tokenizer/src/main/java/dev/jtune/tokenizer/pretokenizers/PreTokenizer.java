package dev.jtune.tokenizer.pretokenizers;

/**
 * Splits normalized text into the words that the model tokenizes independently (tokenizer.json's
 * {@code pre_tokenizer}). A pre-tokenizer may also rewrite its pieces: ByteLevel maps them to the byte alphabet,
 * Metaspace turns spaces into '▁'. Empty pieces are never emitted.
 */
public sealed interface PreTokenizer
        permits ByteLevel, Split, Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit, Sequence {

    /**
     * Splits {@code piece} and hands each part to {@code out}.
     *
     * @param first whether the piece starts the text (Metaspace's {@code first} scheme prepends only there)
     */
    void split(String piece, boolean first, Sink out);

    /** Receives the pieces of a split, in order. */
    @FunctionalInterface
    interface Sink {
        void accept(String piece);

        /**
         * Receives the piece {@code chars[start, end)}; the chars are valid only during the call. A sink that can
         * use the chars directly overrides this to spare a {@code String} per piece.
         */
        default void accept(char[] chars, int start, int end) {
            accept(new String(chars, start, end - start));
        }
    }
}
