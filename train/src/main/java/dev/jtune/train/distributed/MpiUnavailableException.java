package dev.jtune.train.distributed;

/**
 * Started by mpirun, but Open MPI's library could not be loaded or is not Open MPI: every rank fails the same way,
 * so the command line reports it once (on rank 0).
 */
public final class MpiUnavailableException extends IllegalStateException {

    MpiUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
