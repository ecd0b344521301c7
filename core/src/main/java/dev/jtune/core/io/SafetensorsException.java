package dev.jtune.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file (or sharded index) that is malformed, or whose content does not fit the request: the message
 * names the file and, where there is one, the tensor.
 */
public final class SafetensorsException extends IOException {

    /** An error about the file as a whole. */
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /** An error about one tensor of the file. */
    public SafetensorsException(Path file, String tensor, String problem) {
        super(file + ": tensor '" + tensor + "': " + problem);
    }

    /** An error about the file as a whole, caused by another one (an I/O or JSON error). */
    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
