package dev.slipway.core.internal.runtime;

import dev.slipway.core.spi.PreparedRevision;
import java.util.Optional;

/**
 * What a service should look like: serving {@code count} instances of a revision, paused, unavailable (with a
 * message, e.g. while it is created) or deleted. A new {@code generation} means new instances (a blue/green
 * deployment); the same generation with another count is a scale.
 */
public record DesiredState(Mode mode, Optional<PreparedRevision> revision, int count, long generation, String message) {
    /** What the router does for the service. */
    public enum Mode { SERVING, PAUSED, UNAVAILABLE, DELETED }

    public DesiredState {
        if (mode == Mode.SERVING && revision.isEmpty()) {
            throw new IllegalArgumentException("a serving service needs a revision");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
    }

    static DesiredState unavailable(String message) {
        return new DesiredState(Mode.UNAVAILABLE, Optional.empty(), 0, 0, message);
    }

    DesiredState withCount(int n) {
        return new DesiredState(mode, revision, n, generation, message);
    }
}
