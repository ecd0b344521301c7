package dev.jtune.tokenizer;

/**
 * A token matched in the raw text before the model runs, such as {@code <|endoftext|>} or an added {@code [PAD]}
 * (tokenizer.json's {@code added_tokens}).
 *
 * @param id its id
 * @param content the text it matches
 * @param singleWord match only when not inside a word
 * @param lstrip the match swallows white space on its left
 * @param rstrip the match swallows white space on its right
 * @param normalized match against the normalized text rather than the raw text
 * @param special a special token: skipped by {@code decode(ids, true)}
 */
public record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip,
                         boolean normalized, boolean special) {

    public AddedToken {
        if (content == null || content.isEmpty()) {
            throw new TokenizerException("added token " + id + ": empty content");
        }
    }

    /** A special token as {@code add_special_tokens} creates it: not normalized, no stripping. */
    public static AddedToken special(int id, String content) {
        return new AddedToken(id, content, false, false, false, false, true);
    }
}
