package dev.jtune.tokenizer.chat;

/** A chat template failed: a syntax error, a {@code raise_exception} call, or messages it cannot format (bad input). */
public final class ChatTemplateException extends IllegalArgumentException {

    public ChatTemplateException(String message) {
        super(message);
    }

    public ChatTemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
