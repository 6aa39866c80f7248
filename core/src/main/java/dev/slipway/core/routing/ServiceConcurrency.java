package dev.slipway.core.routing;

/**
 * A concurrency sample of one service, as the autoscaler reads it.
 *
 * @param inFlight requests in flight to the service's instances now
 * @param peak     the most requests in flight at once since the previous sample
 */
public record ServiceConcurrency(int inFlight, int peak) {
}
