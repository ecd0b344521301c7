package dev.jtune.tokenizer.chat;

/** The global functions transformers gives chat templates, for jinjava's function registry (public static). */
public final class ChatFunctions {

    private ChatFunctions() {}

    /** {@code raise_exception(message)}: the template refuses its input, e.g. roles that do not alternate. */
    public static Object raiseException(Object message) {
        throw new Raised(String.valueOf(message));
    }

    /** {@code strftime_now(format)}. */
    public static String strftimeNow(String format) {
        return Strftime.now(format);
    }

    /** The exception {@code raise_exception} throws, found again among jinjava's errors. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }
}
