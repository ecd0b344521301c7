package dev.jtune.tokenizer.model;

/**
 * The settings of a BPE model besides its vocabulary and merges, as in tokenizer.json's {@code model} section.
 *
 * @param unkToken token for characters missing from the vocabulary, or null to drop them (as Hugging Face does)
 * @param fuseUnk whether consecutive unknown characters become one unk token
 * @param byteFallback whether unknown characters become their UTF-8 bytes as {@code <0xAB>} tokens
 * @param ignoreMerges whether a word that is itself in the vocabulary skips merging (Llama 3)
 * @param continuingSubwordPrefix prefix of every non-initial symbol of a word, or null
 * @param endOfWordSuffix suffix of the last symbol of a word, or null
 */
public record BpeOptions(String unkToken, boolean fuseUnk, boolean byteFallback, boolean ignoreMerges,
                         String continuingSubwordPrefix, String endOfWordSuffix) {

    /** Byte-level BPE as GPT-2 uses it: no unk token, no prefix or suffix. */
    public static final BpeOptions BYTE_LEVEL = new BpeOptions(null, false, false, false, null, null);

    public BpeOptions {
        continuingSubwordPrefix = emptyToNull(continuingSubwordPrefix);
        endOfWordSuffix = emptyToNull(endOfWordSuffix);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
