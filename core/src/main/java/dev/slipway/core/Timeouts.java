package dev.slipway.core;

import java.time.Duration;

/**
 * Timing knobs shared by all services.
 *
 * @param startup   how long a new instance may take to pass its health checks
 * @param drain     how long requests in flight may take to finish before their instance stops (a deployment's old
 *                  instances, a paused or deleted service, and {@link Slipway#close()})
 * @param stopGrace how long an instance may take to exit after the graceful stop signal before it is killed
 */
public record Timeouts(Duration startup, Duration drain, Duration stopGrace) {
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofSeconds(10));
}
