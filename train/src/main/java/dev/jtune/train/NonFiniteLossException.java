package dev.jtune.train;

/**
 * Training stopped because a step's loss or gradient norm was NaN or infinite. The bad step was not applied; the
 * message names the step and the last good checkpoint, which is left as it was.
 */
public final class NonFiniteLossException extends RuntimeException {

    private final int step;

    public NonFiniteLossException(String message, int step) {
        super(message);
        this.step = step;
    }

    /** The optimizer step (1-based) whose loss was not finite. */
    public int step() {
        return step;
    }
}
