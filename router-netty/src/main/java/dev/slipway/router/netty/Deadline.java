package dev.slipway.router.netty;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline on one connection's event loop that costs a clock read to move: arming it sets a time, and one scheduled
 * check per connection re-arms itself while the deadline keeps moving later (as it does with every keep-alive request),
 * instead of a timer scheduled and cancelled per request. Use on the event loop only.
 */
final class Deadline {
    private static final long DISARMED = Long.MAX_VALUE;
    private final EventExecutor executor;
    private final Runnable onCheck = this::check;
    private long at = DISARMED;
    private Runnable action;
    private ScheduledFuture<?> check;
    private long checkAt;

    Deadline(EventExecutor executor) {
        this.executor = executor;
    }

    /** Runs {@code action} once {@code millis} pass, unless armed again or disarmed first. */
    void arm(long millis, Runnable action) {
        this.action = action;
        at = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        if (check == null || checkAt - at > 0) { // no check yet, or the pending one comes too late
            if (check != null) {
                check.cancel(false);
            }
            schedule(at);
        }
    }

    void disarm() {
        at = DISARMED;
    }

    /** Disarms and drops the pending check (the connection closed). */
    void close() {
        at = DISARMED;
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule(long when) {
        checkAt = when;
        check = executor.schedule(onCheck, Math.max(0, when - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void check() {
        check = null;
        if (at == DISARMED) {
            return;
        }
        if (at - System.nanoTime() > 0) {
            schedule(at);
            return;
        }
        at = DISARMED;
        action.run();
    }
}
