package dev.slipway.core;

/** A quota would be exceeded, e.g. the number of services. */
public class ServiceQuotaExceededException extends SlipwayException {
    public ServiceQuotaExceededException(String message) {
        super(message);
    }
}
