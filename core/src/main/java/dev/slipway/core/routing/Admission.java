package dev.slipway.core.routing;

import java.time.Duration;

/**
 * How the router admits requests beyond what a service's instances may serve at once (MaxConcurrency each): they wait
 * in a per-service queue, in arrival order, while capacity is added; when the queue is full, or a request waited
 * {@code maxWait}, it is answered 503 with {@code Retry-After}.
 *
 * @param queueLimit requests one service may have waiting at once (0: none wait, excess is answered 503 at once)
 * @param maxWait    how long a request waits for an instance before it is answered 503
 */
public record Admission(int queueLimit, Duration maxWait) {
    /** 1000 waiting requests per service, each for up to 15 s (about what a new instance takes to start and pass its health check, twice). */
    public static final Admission DEFAULT = new Admission(1000, Duration.ofSeconds(15));

    public Admission {
        if (queueLimit < 0) {
            throw new IllegalArgumentException("The admission queue limit must be 0 or more, not " + queueLimit);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("The admission queue's maximum wait must be positive, not " + maxWait);
        }
    }
}
