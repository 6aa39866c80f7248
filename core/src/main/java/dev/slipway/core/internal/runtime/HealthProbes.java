package dev.slipway.core.internal.runtime;

import dev.slipway.core.model.HealthCheckConfiguration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs health checks for every service: one timer thread schedules them, and each blocking check runs on a pool
 * that grows with the number of checks in flight, so a slow instance never delays another service's checks.
 */
public final class HealthProbes implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(named("slipway-health-timer"));
    private final ExecutorService checks = Executors.newCachedThreadPool(named("slipway-health"));

    /** Checks {@code host:port} once after {@code delayMillis}, handing the verdict to {@code result}. */
    public ScheduledFuture<?> probe(String host, int port, HealthCheckConfiguration config, long delayMillis,
                                    Consumer<Boolean> result) {
        return timer.schedule(() -> checks.execute(() -> result.accept(InstanceHealthChecker.check(host, port, config))),
                delayMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        checks.shutdownNow();
    }

    /** Daemon threads named {@code <prefix>-<n>}. */
    public static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
