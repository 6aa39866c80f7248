package dev.slipway.core.routing;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The routes the router reads: host to service to healthy endpoints, as an atomically swapped
 * {@link RoutingSnapshot}, plus the number of requests in flight per endpoint.
 *
 * <p>Draining is exact: the router takes a lease on an endpoint with {@link #acquire(String)}, which increments the
 * endpoint's in-flight count and then re-reads the snapshot; core swaps the snapshot first and waits for the count
 * to reach zero ({@link #awaitIdle}). Either the router sees the new snapshot and picks again, or core sees its
 * request in flight and waits for it.
 */
public final class RoutingTable {
    private final AtomicReference<RoutingSnapshot> snapshot = new AtomicReference<>(RoutingSnapshot.EMPTY);
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public RoutingSnapshot snapshot() {
        return snapshot.get();
    }

    /** Sets (or, with an empty route, removes) the route of a host. */
    public synchronized void put(String host, Optional<Route> route) {
        Map<String, Route> next = new HashMap<>(snapshot.get().routes());
        String key = normalizeHost(host);
        route.ifPresentOrElse(r -> next.put(key, r), () -> next.remove(key));
        snapshot.set(new RoutingSnapshot(Map.copyOf(next)));
    }

    /** The route for a Host header value (port and case ignored). */
    public Optional<Route> route(String hostHeader) {
        return snapshot.get().route(normalizeHost(hostHeader));
    }

    /**
     * Leases the endpoint of {@code host} with the fewest requests in flight; the caller must
     * {@link Lease#release()} it when the response has ended. Empty when the route has no endpoint.
     */
    public Optional<Lease> acquire(String hostHeader) {
        String host = normalizeHost(hostHeader);
        for (int attempt = 0; attempt < 8; attempt++) {
            Route route = snapshot.get().routes().get(host);
            if (route == null || route.state() != Route.State.SERVING || route.endpoints().isEmpty()) {
                return Optional.empty();
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
                return Optional.of(new Lease(best, count));
            }
            count.decrementAndGet();
        }
        return Optional.empty();
    }

    /** Requests in flight to an instance. */
    public int inFlight(String instanceId) {
        AtomicInteger c = inFlight.get(instanceId);
        return c == null ? 0 : c.get();
    }

    /**
     * Waits until no request is in flight to any of {@code instanceIds} (they must already be out of the snapshot).
     * Returns false if {@code timeout} passed first.
     */
    public boolean awaitIdle(Collection<String> instanceIds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (instanceIds.stream().anyMatch(id -> inFlight(id) > 0)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** Forgets the counters of instances that are gone. */
    public void forget(Collection<String> instanceIds) {
        instanceIds.forEach(inFlight::remove);
    }

    private AtomicInteger counter(String instanceId) {
        return inFlight.computeIfAbsent(instanceId, k -> new AtomicInteger());
    }

    static String normalizeHost(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        int colon = h.indexOf(':');
        h = colon >= 0 ? h.substring(0, colon) : h;
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    /** A request's hold on an endpoint; release it exactly once. */
    public static final class Lease {
        private final Endpoint endpoint;
        private final AtomicInteger count;
        private boolean released;

        Lease(Endpoint endpoint, AtomicInteger count) {
            this.endpoint = endpoint;
            this.count = count;
        }

        public Endpoint endpoint() {
            return endpoint;
        }

        public synchronized void release() {
            if (!released) {
                released = true;
                count.decrementAndGet();
            }
        }
    }
}
