package dev.slipway.core.spi;

import java.time.Duration;

/**
 * How long the router waits for clients and instances.
 *
 * @param headerRead how long a request's line and headers may take to arrive once its first byte did (then 408)
 * @param idle       how long a kept-alive connection may wait for its next request before it is closed
 * @param request    how long an instance may take to answer a request, body included (App Runner's 120 s; then 504)
 */
public record RouterTimeouts(Duration headerRead, Duration idle, Duration request) {
    public static final RouterTimeouts DEFAULT = new RouterTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(120));
}
