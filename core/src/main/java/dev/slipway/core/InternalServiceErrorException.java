package dev.slipway.core;

/** An unexpected failure inside Slipway. */
public class InternalServiceErrorException extends SlipwayException {
    public InternalServiceErrorException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isClientError() {
        return false;
    }
}
