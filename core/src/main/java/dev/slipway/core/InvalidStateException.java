package dev.slipway.core;

/** The resource is in a state that does not allow the action, e.g. an operation is in progress. */
public class InvalidStateException extends SlipwayException {
    public InvalidStateException(String message) {
        super(message);
    }
}
