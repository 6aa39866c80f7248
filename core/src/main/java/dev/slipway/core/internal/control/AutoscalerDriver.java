package dev.slipway.core.internal.control;

import dev.slipway.core.internal.runtime.HealthProbes;
import dev.slipway.core.internal.runtime.DesiredState;
import dev.slipway.core.observe.LogStreams;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.ServiceConcurrency;
import dev.slipway.core.internal.scaling.ConcurrencyAutoscaler;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives each running service's {@link ConcurrencyAutoscaler}: every tick it samples the router's peak concurrency of
 * the service since the last tick, asks for the instance count wanted, and changes the reconciler's desired count
 * ({@code scaleTo}) when it differs, saying so in the service's events. Services in an operation are left alone.
 */
final class AutoscalerDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AutoscalerDriver.class);

    private final ServiceActions services;
    private final RoutingTable routing;
    private final LogStreams logs;
    private final Map<String, ConcurrencyAutoscaler> autoscalers = new ConcurrentHashMap<>();
    private final Clock clock;
    private ScheduledExecutorService ticks;

    AutoscalerDriver(ServiceActions services, RoutingTable routing, LogStreams logs, Clock clock) {
        this.services = services;
        this.routing = routing;
        this.logs = logs;
        this.clock = clock;
    }

    /** Ticks every {@code tick} from now on (without it, only {@link #tick} calls do). */
    synchronized void every(Duration tick) {
        ticks = Executors.newSingleThreadScheduledExecutor(HealthProbes.named("slipway-autoscaler"));
        ticks.scheduleWithFixedDelay(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One round: every running service's concurrency sampled, its count decided, and changed if it differs. */
    synchronized void tick() {
        try {
            Instant now = clock.instant();
            var scalable = services.scalable();
            Set<String> arns = scalable.stream().map(ServiceActions.Scalable::arn).collect(Collectors.toSet());
            autoscalers.keySet().retainAll(arns);
            for (ServiceActions.Scalable s : scalable) {
                ConcurrencyAutoscaler autoscaler = autoscalers.compute(s.arn(), (arn, old) ->
                        old != null && old.settings().equals(s.settings()) ? old : new ConcurrencyAutoscaler(s.settings()));
                ServiceConcurrency concurrency = routing.sampleConcurrency(s.id());
                autoscaler.record(now, concurrency.peak());
                DesiredState desired = s.reconciler().status().desired();
                if (desired.mode() != DesiredState.Mode.SERVING || desired.revision().isEmpty()) {
                    continue;
                }
                int want = autoscaler.desired(now, desired.count());
                if (want != desired.count()) {
                    String line = "Scaling from " + desired.count() + " to " + want + " instance" + (want == 1 ? "" : "s")
                            + " (concurrency " + concurrency.peak() + ", MaxConcurrency " + s.settings().maxConcurrency()
                            + (autoscaler.panicking() ? ", panic mode" : "") + ")";
                    logs.sink(s.name(), "events").line(line);
                    LOG.info("service {}: {}", s.name(), line);
                    services.scaling(s.arn(), desired.count(), want, line);
                    s.reconciler().scaleTo(want, desired.generation()); // dropped if a deployment came meanwhile
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("autoscaler tick failed; trying again at the next", e);
        }
    }

    @Override
    public synchronized void close() {
        if (ticks != null) {
            ticks.shutdownNow();
        }
    }
}
