package dev.slipway.core.routing;

/**
 * A concurrency sample of one service, as the autoscaler reads it.
 *
 * @param inFlight requests in flight to the service's instances now
 * @param queued   requests waiting in the service's admission queue now
 * @param peak     the most requests in flight and queued at once since the previous sample: the demand the
 *                 autoscaler sizes for (queued requests count, so a spike scales out before instances saturate)
 */
public record ServiceConcurrency(int inFlight, int queued, int peak) {
}
