package dev.slipway.core.routing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The routes the router reads: host to service to healthy endpoints, as an atomically swapped
 * {@link RoutingSnapshot}, plus the number of requests in flight per endpoint and per service. This class is the
 * write side, owned by core; the router is handed it as a {@link RoutingView}.
 *
 * <p>Draining is exact: the router takes a lease on an endpoint with {@link #acquire(String)}, which increments the
 * endpoint's in-flight count and then re-reads the snapshot; core swaps the snapshot first and waits for the count
 * to reach zero ({@link #awaitIdle}). Either the router sees the new snapshot and picks again, or core sees its
 * request in flight and waits for it.
 */
public final class RoutingTable implements RoutingView {
    private final AtomicReference<RoutingSnapshot> snapshot = new AtomicReference<>(RoutingSnapshot.EMPTY);
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, ServiceCounter> services = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    /** Drains waiting for counters to reach zero; a release wakes them only while there are any. */
    private final AtomicInteger draining = new AtomicInteger();
    private final Object idle = new Object();

    /** A table whose per-service metrics go nowhere. */
    public RoutingTable() {
        this(new SimpleMeterRegistry());
    }

    /**
     * A table that counts, per service (tag {@code service}), what App Runner's CloudWatch metrics count, named as they
     * are under the prefix {@code apprunner.} (Prometheus names cannot start with a digit): Requests,
     * 2xxStatusResponses, 4xxStatusResponses, 5xxStatusResponses, RequestLatency, Concurrency and ActiveInstances.
     */
    public RoutingTable(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public RoutingSnapshot snapshot() {
        return snapshot.get();
    }

    /** Sets (or, with an empty route, removes) the route of a host. */
    public synchronized void put(String host, Optional<Route> route) {
        Map<String, Route> next = new HashMap<>(snapshot.get().routes());
        String key = RoutingSnapshot.normalizeHost(host);
        route.ifPresentOrElse(r -> next.put(key, r), () -> next.remove(key));
        snapshot.set(new RoutingSnapshot(next));
    }

    /** Replaces every route by one answering 503 with {@code message}; nothing is leased afterwards. */
    public synchronized void closeAll(String message) {
        Map<String, Route> next = new HashMap<>();
        snapshot.get().routes().forEach((host, r) -> next.put(host, Route.unavailable(r.serviceId(), r.serviceName(), message)));
        snapshot.set(new RoutingSnapshot(next));
    }

    @Override
    public Acquisition acquire(String hostHeader) {
        String host = RoutingSnapshot.normalizeHost(hostHeader);
        Route route = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            route = snapshot.get().routes().get(host);
            if (route == null || !route.serves()) {
                return new Acquisition.NoRoute(Optional.ofNullable(route));
            }
            Endpoint best = null;
            int bestLoad = Integer.MAX_VALUE;
            int n = route.endpoints().size();
            int start = (int) (Thread.currentThread().getId() % n);
            for (int i = 0; i < n; i++) {
                Endpoint e = route.endpoints().get((start + i) % n);
                int load = counter(e.instanceId()).get();
                if (load < bestLoad) {
                    best = e;
                    bestLoad = load;
                }
            }
            AtomicInteger count = counter(best.instanceId());
            count.incrementAndGet();
            Route now = snapshot.get().routes().get(host);
            if (now != null && now.state() == Route.State.SERVING && now.endpoints().contains(best)) {
                ServiceCounter service = service(now);
                service.increment();
                return new Acquisition.Leased(new EndpointLease(best, count, service, this));
            }
            decrement(count);
        }
        return new Acquisition.Saturated(route);
    }

    /** Requests in flight to an instance. */
    public int inFlight(String instanceId) {
        AtomicInteger c = inFlight.get(instanceId);
        return c == null ? 0 : c.get();
    }

    /** Requests in flight to a service now, and its peak since the previous sample of it (which this call starts anew). */
    public ServiceConcurrency sampleConcurrency(String serviceId) {
        ServiceCounter c = services.get(serviceId);
        return c == null ? new ServiceConcurrency(0, 0) : c.sample();
    }

    /**
     * Waits until no request is in flight to any of {@code instanceIds} (they must already be out of the snapshot).
     * Returns false if {@code timeout} passed first.
     */
    public boolean awaitIdle(Collection<String> instanceIds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        draining.incrementAndGet();
        try {
            synchronized (idle) {
                while (instanceIds.stream().anyMatch(id -> inFlight(id) > 0)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(idle, left); // woken by the release that ends a request
                }
                return true;
            }
        } finally {
            draining.decrementAndGet();
        }
    }

    /** One request less on an instance; wakes the drains waiting, if any (the request path takes no lock otherwise). */
    private void decrement(AtomicInteger count) {
        if (count.decrementAndGet() == 0 && draining.get() > 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Waits until no request is in flight anywhere (routes must already be closed). */
    public boolean awaitAllIdle(Duration timeout) throws InterruptedException {
        return awaitIdle(inFlight.keySet(), timeout);
    }

    /** Forgets the counters of instances that are gone. */
    public void forget(Collection<String> instanceIds) {
        instanceIds.forEach(inFlight::remove);
    }

    @Override
    public void rejected(Route route, int status) {
        service(route).answered(status, 0);
    }

    private ServiceCounter service(Route route) {
        return services.computeIfAbsent(route.serviceId(), k -> new ServiceCounter(meters, route.serviceId(), route.serviceName(), this));
    }

    /** Forgets the concurrency samples of a deleted service. */
    public void forgetService(String serviceId) {
        ServiceCounter gone = services.remove(serviceId);
        if (gone != null) {
            gone.meters.forEach(meters::remove);
        }
    }

    private AtomicInteger counter(String instanceId) {
        return inFlight.computeIfAbsent(instanceId, k -> new AtomicInteger());
    }

    /** Requests in flight to one service, the peak since the last sample, and the service's meters. */
    private static final class ServiceCounter {
        private final AtomicInteger now = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final Counter requests;
        private final Counter[] byClass = new Counter[6];
        private final Timer latency;
        private final java.util.List<io.micrometer.core.instrument.Meter> meters = new java.util.ArrayList<>();

        ServiceCounter(MeterRegistry meters, String serviceId, String serviceName, RoutingTable table) {
            Tags tags = Tags.of("service", serviceName);
            requests = meters.counter("apprunner.Requests", tags);
            for (int c = 2; c <= 5; c++) {
                byClass[c] = c == 3 ? null : meters.counter("apprunner." + c + "xxStatusResponses", tags);
            }
            latency = Timer.builder("apprunner.RequestLatency").tags(tags).publishPercentileHistogram().register(meters);
            this.meters.add(requests);
            this.meters.add(latency);
            this.meters.add(Gauge.builder("apprunner.Concurrency", now, AtomicInteger::get).tags(tags).register(meters));
            this.meters.add(Gauge.builder("apprunner.ActiveInstances", table, t -> t.snapshot().routes().values().stream()
                    .filter(r -> r.serviceId().equals(serviceId)).mapToInt(r -> r.endpoints().size()).sum()).tags(tags).register(meters));
            for (Counter c : byClass) {
                if (c != null) {
                    this.meters.add(c);
                }
            }
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

        void increment() {
            int n = now.incrementAndGet();
            peak.accumulateAndGet(n, Math::max);
        }

        void decrement() {
            now.decrementAndGet();
        }

        ServiceConcurrency sample() {
            int current = now.get();
            return new ServiceConcurrency(current, Math.max(current, peak.getAndSet(current)));
        }
    }

    private static final class EndpointLease implements Lease {
        private final Endpoint endpoint;
        private final AtomicInteger count;
        private final ServiceCounter service;
        private final AtomicBoolean released = new AtomicBoolean();
        private final RoutingTable table;
        private final long started = System.nanoTime();
        private volatile int status;

        EndpointLease(Endpoint endpoint, AtomicInteger count, ServiceCounter service, RoutingTable table) {
            this.table = table;
            this.endpoint = endpoint;
            this.count = count;
            this.service = service;
        }

        @Override
        public Endpoint endpoint() {
            return endpoint;
        }

        @Override
        public void answered(int status) {
            this.status = status;
        }

        @Override
        public void release() {
            if (released.compareAndSet(false, true)) {
                table.decrement(count);
                service.decrement();
                service.answered(status, System.nanoTime() - started);
            }
        }
    }
}
