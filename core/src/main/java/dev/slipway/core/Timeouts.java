package dev.slipway.core;

import java.time.Duration;

/**
 * Timing knobs shared by all services.
 *
 * @param startup   how long a new instance may take to pass its health checks
 * @param drain     how long requests in flight may take to finish before their instance stops (a deployment's old
 *                  instances, a paused or deleted service, and {@link Slipway#close()})
 * @param stopGrace how long an instance may take to exit after the graceful stop signal before it is killed
 * @param step      how long any one step of an operation (fetching the source, building, starting instances ...) may
 *                  take before the operation fails, so that every operation ends (keep it above startup and drain)
 */
public record Timeouts(Duration startup, Duration drain, Duration stopGrace, Duration step) {
    public static final Duration DEFAULT_STEP = Duration.ofMinutes(30);
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofSeconds(10));

    /** Timeouts with the default step timeout (30 minutes). */
    public Timeouts(Duration startup, Duration drain, Duration stopGrace) {
        this(startup, drain, stopGrace, DEFAULT_STEP);
    }

    public Timeouts withStep(Duration step) {
        return new Timeouts(startup, drain, stopGrace, step);
    }
}
