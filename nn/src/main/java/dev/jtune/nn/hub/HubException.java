package dev.jtune.nn.hub;

import java.io.IOException;

/** A model could not be had from the hub or the cache; the message is one line naming the repository and file. */
public final class HubException extends IOException {

    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
