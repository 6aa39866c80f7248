package dev.slipway.core.internal.runtime;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.spi.PreparedRevision;
import java.util.Optional;

/**
 * What a service should look like: serving {@code count} instances of a revision, paused, unavailable (with a
 * message, e.g. while it is created) or deleted; with the health check its instances must pass and how many requests
 * each takes at once. A new {@code generation} means new instances (a blue/green deployment); the same generation
 * with another count is a scale. The reconciler is given it whole: it never reads the control state.
 */
public record DesiredState(Mode mode, Optional<PreparedRevision> revision, int count, long generation, String message,
                           HealthCheckConfiguration healthCheck, int maxConcurrency) {
    /** What the router does for the service. */
    public enum Mode { SERVING, PAUSED, UNAVAILABLE, DELETED }

    public DesiredState {
        if (mode == Mode.SERVING && revision.isEmpty()) {
            throw new IllegalArgumentException("a serving service needs a revision");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        healthCheck = (healthCheck == null ? HealthCheckConfiguration.DEFAULT : healthCheck).withDefaults();
    }

    /** Not serving ({@code mode} PAUSED, UNAVAILABLE or DELETED), with no instance. */
    public static DesiredState notServing(Mode mode, Optional<PreparedRevision> revision, String message,
                                          HealthCheckConfiguration healthCheck, int maxConcurrency) {
        return new DesiredState(mode, revision, 0, 0, message, healthCheck, maxConcurrency);
    }

    static DesiredState unavailable(String message) {
        return notServing(Mode.UNAVAILABLE, Optional.empty(), message, HealthCheckConfiguration.DEFAULT, 1);
    }

    DesiredState withCount(int n) {
        return new DesiredState(mode, revision, n, generation, message, healthCheck, maxConcurrency);
    }

    DesiredState showing(Mode m, String why) {
        return new DesiredState(m, m == Mode.DELETED ? Optional.empty() : revision, count, generation, why, healthCheck, maxConcurrency);
    }
}
