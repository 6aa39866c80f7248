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
 *
 * <p>Scale to zero (MinSize 0, when the server allows it): a service with no request for {@code idleBeforeZero} goes to
 * 0 instances (only this rule takes it there); a request for it then waits in the router's queue and the routing table
 * wakes it ({@link RoutingTable#onWake}): it goes to 1 instance, and the cold start's time is in its events and the
 * {@code slipway.ColdStart} timer.
 */
final class AutoscalerDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AutoscalerDriver.class);

    private final ServiceActions services;
    private final RoutingTable routing;
    private final LogStreams logs;
    private final Map<String, ConcurrencyAutoscaler> autoscalers = new ConcurrentHashMap<>();
    private final Clock clock;
    private ScheduledExecutorService ticks;
    private final java.util.Optional<Duration> idleBeforeZero;
    private final io.micrometer.core.instrument.MeterRegistry meters;
    /** When each service (by ARN) last had a request, for scale to zero. */
    private final Map<String, Instant> lastActive = new ConcurrentHashMap<>();
    /** The services (by id) starting an instance from zero now. */
    private final Set<String> waking = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ExecutorService wakes = Executors.newSingleThreadExecutor(HealthProbes.named("slipway-wake"));

    AutoscalerDriver(ServiceActions services, RoutingTable routing, LogStreams logs, Clock clock,
                     java.util.Optional<Duration> idleBeforeZero, io.micrometer.core.instrument.MeterRegistry meters) {
        this.services = services;
        this.routing = routing;
        this.logs = logs;
        this.clock = clock;
        this.idleBeforeZero = idleBeforeZero;
        this.meters = meters;
        routing.onWake(this::wake);
        routing.onWoken(this::woken);
    }

    /** A service scaled to zero serves again: its cold start, as its first request waited for it. */
    private void woken(String serviceName, long waitedNanos) {
        io.micrometer.core.instrument.Timer.builder("slipway.ColdStart").tag("service", serviceName)
                .description("How long the first request for a service scaled to zero waited for an instance to serve it")
                .register(meters).record(waitedNanos, TimeUnit.NANOSECONDS);
        logs.sink(serviceName, "events").line(String.format(java.util.Locale.ROOT,
                "Cold start: the first request waited %.2f s for an instance", waitedNanos / 1e9));
    }

    /** A request came for a service scaled to zero (on a router thread: handed over at once). */
    private void wake(String serviceId) {
        if (!waking.add(serviceId)) {
            return;
        }
        wakes.execute(() -> {
            try {
                ServiceReconcilers.Scalable s = services.reconcilers().scalable().stream().filter(x -> x.id().equals(serviceId))
                        .findFirst().orElse(null);
                DesiredState desired = s == null ? null : s.reconciler().status().desired();
                if (desired == null || desired.mode() != DesiredState.Mode.SERVING || desired.count() > 0) {
                    waking.remove(serviceId);
                    return;
                }
                lastActive.put(s.arn(), clock.instant());
                String line = "Scaling from 0 to 1 instance (a request arrived while the service was scaled to zero)";
                logs.sink(s.name(), "events").line(line);
                services.scaling(s.arn(), 0, 1, line);
                s.reconciler().scaleTo(1, desired.generation()).whenComplete((ok, failed) -> {
                    waking.remove(serviceId);
                    if (failed != null) {
                        logs.sink(s.name(), "events").line("Could not start an instance from zero: " + failed.getMessage());
                    }
                });
            } catch (RuntimeException e) {
                waking.remove(serviceId);
                LOG.warn("could not start an instance of service {} from zero", serviceId, e);
            }
        });
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
            var scalable = services.reconcilers().scalable();
            Set<String> arns = scalable.stream().map(ServiceReconcilers.Scalable::arn).collect(Collectors.toSet());
            autoscalers.keySet().retainAll(arns);
            for (ServiceReconcilers.Scalable s : scalable) {
                ConcurrencyAutoscaler autoscaler = autoscalers.compute(s.arn(), (arn, old) ->
                        old != null && old.settings().equals(s.settings()) ? old : new ConcurrencyAutoscaler(s.settings()));
                ServiceConcurrency concurrency = routing.sampleConcurrency(s.id());
                autoscaler.record(now, concurrency.peak());
                DesiredState desired = s.reconciler().status().desired();
                if (desired.mode() != DesiredState.Mode.SERVING || desired.revision().isEmpty()) {
                    continue;
                }
                int want = autoscaler.desired(now, desired.count());
                if (s.settings().minSize() == 0) {
                    if (desired.count() == 0) {
                        continue; // a request wakes it (wake), not a tick
                    }
                    Instant last = lastActive.compute(s.arn(), (arn, seen) -> concurrency.peak() > 0 || seen == null ? now : seen);
                    boolean idle = idleBeforeZero.isPresent() && !now.isBefore(last.plus(idleBeforeZero.get()))
                            && !waking.contains(s.id());
                    want = idle ? 0 : Math.max(1, want); // only the idle rule takes a service to zero
                }
                if (want != desired.count()) {
                    String line = want == 0 ? "Scaling from " + desired.count() + " to 0 instances (no request for "
                            + idleBeforeZero.orElseThrow().toSeconds() + " s: scaled to zero; the next request starts one)"
                            : "Scaling from " + desired.count() + " to " + want + " instance" + (want == 1 ? "" : "s")
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
        wakes.shutdownNow();
    }
}
