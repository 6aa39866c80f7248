package dev.slipway.core.internal.runtime;

import dev.slipway.core.Timeouts;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.HealthCheckProtocol;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Watches the health of a service's instances for its reconciler: a startup deadline for each new instance, and
 * (unless the platform checks health itself) health checks for as long as the instance lives. Verdicts are handed to
 * the reconciler on its own thread.
 */
final class HealthWatch {
    private final HealthProbes probes;
    private final SerialLoop loop;
    private final Supplier<HealthCheckConfiguration> healthCheck;
    private final Timeouts timeouts;
    private final boolean platformChecks;
    private final Predicate<ObservedInstance> watching;
    private final Consumer<ObservedInstance> healthy;
    private final BiConsumer<ObservedInstance, String> unhealthy;
    private final BiConsumer<ObservedInstance, String> tooSlow;

    /**
     * @param watching  whether an instance is still watched (live, not stopping)
     * @param healthy   a starting instance passed its checks
     * @param unhealthy a healthy instance failed its checks (with why)
     * @param tooSlow   a starting instance missed its startup deadline (with why)
     */
    HealthWatch(HealthProbes probes, SerialLoop loop, Supplier<HealthCheckConfiguration> healthCheck,
                Timeouts timeouts, boolean platformChecks, Predicate<ObservedInstance> watching,
                Consumer<ObservedInstance> healthy, BiConsumer<ObservedInstance, String> unhealthy,
                BiConsumer<ObservedInstance, String> tooSlow) {
        this.probes = probes;
        this.loop = loop;
        this.healthCheck = healthCheck;
        this.timeouts = timeouts;
        this.platformChecks = platformChecks;
        this.watching = watching;
        this.healthy = healthy;
        this.unhealthy = unhealthy;
        this.tooSlow = tooSlow;
    }

    /** Starts watching a started (or adopted) instance. */
    void watch(ObservedInstance i) {
        loop.schedule(() -> {
            if (i.state == ObservedInstance.State.STARTING && watching.test(i)) {
                tooSlow.accept(i, notHealthyInTime(i.handle.port()));
            }
        }, timeouts.startup().toNanos(), TimeUnit.NANOSECONDS);
        if (!platformChecks) {
            check(i, 0);
        }
    }

    private void check(ObservedInstance i, long delayMillis) {
        probes.probe(i.handle.host(), i.handle.port(), healthCheck.get(), delayMillis, ok -> onLoop(() -> {
            if (!watching.test(i)) {
                return;
            }
            ObservedInstance.Verdict verdict = i.onCheck(ok, healthCheck.get());
            switch (verdict.kind()) {
                case UNHEALTHY -> unhealthy.accept(i, "failed " + i.failures() + " health checks in a row");
                case HEALTHY -> {
                    check(i, verdict.nextCheckMillis());
                    healthy.accept(i);
                }
                default -> check(i, verdict.nextCheckMillis());
            }
        }));
    }

    private void onLoop(Runnable work) {
        try {
            loop.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
            // the reconciler was closed
        }
    }

    /** Why an instance failed its startup, and what to do about it. */
    private String notHealthyInTime(int port) {
        HealthCheckConfiguration hc = healthCheck.get();
        String rule = hc.protocol() == HealthCheckProtocol.HTTP ? "GET " + hc.path() + " on port " + port + " did not answer 2xx"
                : "nothing accepted TCP connections on port " + port;
        return "did not become healthy within " + timeouts.startup().toSeconds() + "s: " + rule + ". The application must "
                + "listen on the port given in the PORT environment variable (" + port + "), not a fixed one";
    }
}
