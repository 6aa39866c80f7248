package dev.slipway.core.internal.runtime;

import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.spi.PreparedRevision;
import java.util.Optional;

/**
 * What a service should look like: serving {@code count} instances of a revision, paused, unavailable (with a
 * message, e.g. while it is created) or deleted; with the health check its instances must pass and how many requests
 * each takes at once. A new {@code generation} means new instances (a blue/green deployment); the same generation
 * with another count is a scale. The reconciler is given it whole: it never reads the control state. {@code traffic}
 * is the share of requests the generation takes while the previous one still serves (a progressive deployment's
 * step); at 100 % the previous one drains.
 */
public record DesiredState(Mode mode, Optional<PreparedRevision> revision, int count, long generation, String message,
                           HealthCheckConfiguration healthCheck, int maxConcurrency, Traffic traffic) {
    /**
     * A new generation's share of the requests ({@code percent}) while the previous one serves the rest, and the share
     * of 5xx answers past which the router stops sending it any ({@link dev.slipway.core.routing.Route.Split}).
     */
    public record Traffic(int percent, int max5xxPercent) {
        /** All of it: the previous generation drains (a blue/green switch). */
        public static final Traffic ALL = new Traffic(100, 100);

        public Traffic {
            if (percent < 0 || percent > 100 || max5xxPercent < 0 || max5xxPercent > 100) {
                throw new IllegalArgumentException("percentages are 0 to 100: " + percent + ", " + max5xxPercent);
            }
        }

        public boolean all() {
            return percent == 100;
        }
    }

    public DesiredState(Mode mode, Optional<PreparedRevision> revision, int count, long generation, String message,
                        HealthCheckConfiguration healthCheck, int maxConcurrency) {
        this(mode, revision, count, generation, message, healthCheck, maxConcurrency, Traffic.ALL);
    }

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
        return new DesiredState(mode, revision, n, generation, message, healthCheck, maxConcurrency, traffic);
    }

    DesiredState withTraffic(Traffic t) {
        return new DesiredState(mode, revision, count, generation, message, healthCheck, maxConcurrency, t);
    }

    DesiredState showing(Mode m, String why) {
        return new DesiredState(m, m == Mode.DELETED ? Optional.empty() : revision, count, generation, why, healthCheck, maxConcurrency,
                traffic);
    }
}
