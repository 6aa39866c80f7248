package dev.slipway.core;

/**
 * An error of the App Runner API. Each subclass maps one-to-one to an error shape of the API model; {@link #errorCode()}
 * is that shape's name, which the API server sends as {@code __type}.
 */
public abstract class SlipwayException extends RuntimeException {
    protected SlipwayException(String message) {
        super(message);
    }

    protected SlipwayException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The API model's name for this error, e.g. {@code InvalidRequestException}. */
    public String errorCode() {
        return getClass().getSimpleName();
    }

    /** Whether the fault is the caller's (HTTP 400) rather than Slipway's (HTTP 500). */
    public boolean isClientError() {
        return true;
    }
}
