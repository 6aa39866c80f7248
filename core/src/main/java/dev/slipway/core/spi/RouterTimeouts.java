package dev.slipway.core.spi;

import java.time.Duration;

/**
 * How long the router waits for clients and instances.
 *
 * @param headerRead how long a request's line and headers may take to arrive once its first byte did (then 408)
 * @param idle       how long a kept-alive connection may wait for its next request before it is closed
 * @param request    how long an instance may take to answer a request, body included (App Runner's 120 s; then 504)
 * @param linger     how long the rest of a request's body is read and dropped after the router answered it itself
 *                   (404, 503, ...) before the connection closes (nginx's lingering_timeout): never a hold forever
 * @param tunnelIdle     how long a switched connection (a WebSocket) may pass no byte either way before the router
 *                       closes it (1001 going away); zero: no limit
 * @param tunnelLifetime how long a switched connection may last at most; zero (the default): no limit
 */
public record RouterTimeouts(Duration headerRead, Duration idle, Duration request, Duration linger, Duration tunnelIdle,
                             Duration tunnelLifetime) {
    /** A WebSocket may be silent for an hour before the router closes it; it may live as long as it is used. */
    public static final Duration DEFAULT_TUNNEL_IDLE = Duration.ofHours(1);
    public static final RouterTimeouts DEFAULT = new RouterTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(120));

    /** With the default limits of switched connections (an hour idle, no lifetime limit). */
    public RouterTimeouts(Duration headerRead, Duration idle, Duration request, Duration linger) {
        this(headerRead, idle, request, linger, DEFAULT_TUNNEL_IDLE, Duration.ZERO);
    }

    /** These timeouts with switched connections (WebSockets) closed after {@code idle} without a byte, or {@code lifetime}. */
    public RouterTimeouts withTunnels(Duration idle, Duration lifetime) {
        return new RouterTimeouts(headerRead, this.idle, request, linger, idle, lifetime);
    }

    /** With the default linger of 5 s. */
    public RouterTimeouts(Duration headerRead, Duration idle, Duration request) {
        this(headerRead, idle, request, Duration.ofSeconds(5));
    }
}
