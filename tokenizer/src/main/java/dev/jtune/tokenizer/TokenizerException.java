package dev.jtune.tokenizer;

/**
 * A tokenizer file or call that cannot be honoured: malformed or unsupported files (the message names the file and
 * the component), padding without a pad token, ids out of range.
 */
public final class TokenizerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
