package dev.slipway.core.internal.runtime;

import java.time.Duration;

/**
 * Exponential backoff of replacement starts: after the n-th failure in a row the next start waits 2^(n-1) seconds,
 * at most a minute; a success starts over. Not thread-safe: used on the reconciler's thread.
 */
final class Backoff {
    static final Duration MAX = Duration.ofSeconds(60);

    private int failuresInARow;
    private long nextStartNanos;

    /** Records a failure; returns how long the next start waits. */
    Duration failed(long nowNanos) {
        failuresInARow++;
        Duration wait = Duration.ofMillis(Math.min(MAX.toMillis(), 1000L << Math.min(16, failuresInARow - 1)));
        nextStartNanos = nowNanos + wait.toNanos();
        return wait;
    }

    void reset() {
        failuresInARow = 0;
        nextStartNanos = 0;
    }

    /** How long until a start is allowed (zero or negative: now). */
    long waitNanos(long nowNanos) {
        return nextStartNanos - nowNanos;
    }
}
