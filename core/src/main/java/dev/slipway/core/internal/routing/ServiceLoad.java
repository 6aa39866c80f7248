package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Admission;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.routing.ServiceConcurrency;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/** One service's load: requests in flight and waiting, their peak since the last sample, its queue and its meters. */
final class ServiceLoad {
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final ConcurrentLinkedQueue<Ticket> waiting = new ConcurrentLinkedQueue<>();
    private final Counter requests;
    private final Counter[] byClass = new Counter[6];
    private final Counter shed;
    private final Counter evicted;
    private final Timer latency;
    final List<Meter> meters = new ArrayList<>();

    ServiceLoad(MeterRegistry registry, String serviceId, String serviceName, AtomicReference<RoutingSnapshot> routes) {
        Tags tags = Tags.of("service", serviceName);
        requests = register(Counter.builder("apprunner.Requests").tags(tags)
                .description("Requests the service received through the router (App Runner's Requests)").register(registry));
        for (int c = 2; c <= 5; c++) {
            byClass[c] = c == 3 ? null : register(Counter.builder("apprunner." + c + "xxStatusResponses").tags(tags)
                    .description("Responses with a " + c + "xx status (App Runner's " + c + "xxStatusResponses)").register(registry));
        }
        shed = register(Counter.builder("apprunner.ShedRequests").tags(tags)
                .description("Requests answered 503 because the service's admission queue was full or they waited too long")
                .register(registry));
        evicted = register(Counter.builder("slipway.ConnectionsClosedByDrain").tags(tags)
                .description("Switched connections (WebSockets) still open when their instance's drain timed out, closed "
                        + "by the router (a close frame, 1001 going away)").register(registry));
        latency = register(Timer.builder("apprunner.RequestLatency").tags(tags).publishPercentileHistogram()
                .description("Time from the request's arrival to the end of its response (App Runner's RequestLatency)")
                .register(registry));
        register(Gauge.builder("apprunner.Concurrency", inFlight, AtomicInteger::get).tags(tags)
                .description("Requests in flight to the service's instances now (App Runner's Concurrency)").register(registry));
        register(Gauge.builder("apprunner.QueuedRequests", queued, AtomicInteger::get).tags(tags)
                .description("Requests waiting for an instance in the service's admission queue").register(registry));
        register(Gauge.builder("apprunner.ActiveInstances", routes, t -> t.get().routes().values().stream()
                .filter(r -> r.serviceId().equals(serviceId)).mapToInt(r -> r.endpoints().size()).sum()).tags(tags)
                .description("Instances serving the service now (App Runner's ActiveInstances)").register(registry));
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    void leased() {
        int n = inFlight.incrementAndGet();
        notePeak(n + queued.get());
    }

    /** A lease ended: counts the response. */
    void released(int status, long nanos) {
        inFlight.decrementAndGet();
        answered(status, nanos);
    }

    void evicted() {
        evicted.increment();
    }

    /** A lease was taken for a request that no longer wants it: undone without counting a response. */
    void abandoned() {
        inFlight.decrementAndGet();
    }

    void answered(int status, long nanos) {
        requests.increment();
        Counter c = status >= 200 && status < 600 ? byClass[status / 100] : null;
        if (c != null) {
            c.increment();
        }
        if (nanos > 0) {
            latency.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void shed() {
        shed.increment();
        answered(503, 0);
    }

    private void notePeak(int demand) {
        peak.accumulateAndGet(demand, Math::max);
    }

    ServiceConcurrency sample() {
        int now = inFlight.get();
        int q = queued.get();
        return new ServiceConcurrency(now, q, Math.max(now + q, peak.getAndSet(now + q)));
    }

    boolean hasWaiting() {
        return queued.get() > 0;
    }

    /** Queues a request for {@code host}, or returns null when {@code limit} requests already wait. */
    Ticket offer(String host, long started, Admission admission) {
        if (queued.incrementAndGet() > admission.queueLimit()) {
            queued.decrementAndGet();
            return null;
        }
        Ticket t = new Ticket(host, started, admission.maxWait());
        waiting.add(t);
        notePeak(inFlight.get() + queued.get());
        return t;
    }

    Ticket head() {
        return waiting.peek();
    }

    /** Takes {@code t} out of the queue; true for the one caller that did. */
    private boolean remove(Ticket t) {
        if (waiting.remove(t)) {
            queued.decrementAndGet();
            return true;
        }
        return false;
    }

    /** A queued request: decided once, by the dispatcher ({@link #decide}) or by its caller ({@link #giveUp}). */
    final class Ticket implements RoutingView.Waiter {
        final String host;
        final long started;
        private final Duration maxWait;
        private final CompletableFuture<RoutingView.Acquisition> decision = new CompletableFuture<>();

        Ticket(String host, long started, Duration maxWait) {
            this.host = host;
            this.started = started;
            this.maxWait = maxWait;
        }

        @Override
        public Duration maxWait() {
            return maxWait;
        }

        @Override
        public void whenDecided(Consumer<RoutingView.Acquisition> action) {
            decision.thenAccept(action);
        }

        @Override
        public boolean giveUp() {
            boolean stopped = withdraw();
            if (stopped) {
                shed();
            }
            return stopped;
        }

        @Override
        public boolean withdraw() {
            if (!decision.completeExceptionally(new CancellationException("stopped waiting"))) {
                return false;
            }
            remove(this);
            return true;
        }

        /** Out of the queue with {@code acquisition}; false if it gave up meanwhile (then undo the acquisition). */
        boolean decide(RoutingView.Acquisition acquisition) {
            return remove(this) & decision.complete(acquisition);
        }
    }

    static RoutingView.Acquisition noRoute(Route route) {
        return new RoutingView.Acquisition.NoRoute(Optional.ofNullable(route));
    }
}
