package dev.jtune.train.data;

import java.io.IOException;

/** A data file that cannot be read as its format; the message starts with {@code file:line:}. */
public final class MalformedDatasetException extends IOException {

    public MalformedDatasetException(String message) {
        super(message);
    }

    public MalformedDatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
