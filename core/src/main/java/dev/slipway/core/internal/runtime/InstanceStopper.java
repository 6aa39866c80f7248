package dev.slipway.core.internal.runtime;

import dev.slipway.core.Timeouts;
import dev.slipway.core.observe.LogSink;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceHandle;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Stops a service's instances off its reconciler's thread: drained first (they must already be out of the route,
 * so the routing table's lease protocol makes the wait exact), then stopped gracefully, then forgotten.
 */
final class InstanceStopper implements AutoCloseable {
    private final ComputeBackend backend;
    private final RoutingTable routing;
    private final Timeouts timeouts;
    private final ExecutorService threads;
    /** How long the routers get to close what a drain left open (close frames written, leases released). */
    private static final java.time.Duration EVICTION = java.time.Duration.ofSeconds(2);

    InstanceStopper(String serviceName, ComputeBackend backend, RoutingTable routing, Timeouts timeouts) {
        this.backend = backend;
        this.routing = routing;
        this.timeouts = timeouts;
        this.threads = Executors.newCachedThreadPool(HealthProbes.named("slipway-stop-" + serviceName));
    }

    /** Waits for the requests in flight to {@code instances} (up to the drain timeout), stops them, then runs {@code done}. */
    void drainAndStop(List<ObservedInstance> instances, LogSink log, Runnable done) {
        threads.execute(() -> {
            List<String> ids = instances.stream().map(i -> i.id).toList();
            try {
                if (!routing.awaitIdle(ids, timeouts.drain())) {
                    log.line("Requests still in flight after " + timeouts.drain().toSeconds() + "s of draining; closing "
                            + "the connections still open (WebSockets: 1001 going away) and stopping");
                    routing.evict(ids);
                    routing.awaitLocallyIdle(ids, EVICTION);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            instances.stream().filter(i -> i.handle != null).forEach(i -> backend.stop(i.handle, timeouts.stopGrace()));
            routing.forget(ids);
            done.run();
        });
    }

    /** Stops an instance that came up after it was no longer wanted (it never served), then runs {@code done}. */
    void stopLate(InstanceHandle handle, Runnable done) {
        threads.execute(() -> {
            backend.stop(handle, timeouts.stopGrace());
            done.run();
        });
    }

    /** Stops {@code instances} at once, all in parallel, without draining; returns when they are gone. */
    void stopNow(List<ObservedInstance> instances) {
        List<Future<?>> stops = instances.stream().filter(i -> i.handle != null)
                .<Future<?>>map(i -> threads.submit(() -> backend.stop(i.handle, timeouts.stopGrace()))).toList();
        for (Future<?> f : stops) {
            try {
                f.get();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(InstanceStopper.class).warn("stopping an instance failed: {}", e.toString());
            }
        }
        routing.forget(instances.stream().map(i -> i.id).toList());
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
