package dev.slipway.core;

/** One or more input parameters are not valid; the message names the field and the rule. */
public class InvalidRequestException extends SlipwayException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
