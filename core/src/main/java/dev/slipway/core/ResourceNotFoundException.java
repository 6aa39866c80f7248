package dev.slipway.core;

/** The resource named by the request does not exist. */
public class ResourceNotFoundException extends SlipwayException {
    public ResourceNotFoundException(String message) {
        super(message);
    }
}
