package dev.slipway.core.build;

/** A build or source step failed; the message says what and what to do, and the deployment log has the details. */
public class BuildFailedException extends Exception {
    public BuildFailedException(String message) {
        super(message);
    }

    public BuildFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
