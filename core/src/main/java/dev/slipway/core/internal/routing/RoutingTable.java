package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Admission;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.routing.ServiceConcurrency;
import dev.slipway.core.spi.RouteSharing;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private final Map<String, ServiceLoad> services = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final Admission admission;
    /** Drains waiting for counters to reach zero; a release wakes them only while there are any. */
    private final AtomicInteger draining = new AtomicInteger();
    private final Object idle = new Object();
    /** Where this table's routes are published for other routers, while this process leads (null: nowhere). */
    private volatile RouteSharing sharing;
    /** Hosts of routes followed from another leader that this one has not set since it took over. */
    private final Set<String> inherited = new HashSet<>();
    /** Hosts whose aliases were inherited from the leader followed, until this process sets them (see {@link #lead}). */
    private final Set<String> inheritedAliases = new HashSet<>();

    /** A table whose per-service metrics go nowhere. */
    public RoutingTable() {
        this(new SimpleMeterRegistry());
    }

    /**
     * A table that counts, per service (tag {@code service}), what App Runner's CloudWatch metrics count, named as they
     * are under the prefix {@code apprunner.} (Prometheus names cannot start with a digit): Requests,
     * 2xxStatusResponses, 4xxStatusResponses, 5xxStatusResponses, RequestLatency, Concurrency and ActiveInstances, and
     * what admission adds: QueuedRequests (waiting now) and ShedRequests (answered 503 because the queue was full or
     * they waited too long).
     */
    public RoutingTable(MeterRegistry meters) {
        this(meters, Admission.DEFAULT);
    }

    /** A table with per-service metrics (see above) that admits requests beyond MaxConcurrency as {@code admission} says. */
    public RoutingTable(MeterRegistry meters, Admission admission) {
        this.meters = meters;
        this.admission = admission;
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
        inherited.remove(key);
        swap(snapshot.get().withRoutes(next));
        route.filter(Route::serves).ifPresent(r -> signals.serving(r.serviceId(), r.serviceName()));
    }

    /**
     * Answers the ACME HTTP-01 challenge {@code token} with {@code keyAuthorization} on every host (null: no longer),
     * at {@code /.well-known/acme-challenge/<token>}.
     */
    public synchronized void challenge(String token, String keyAuthorization) {
        Map<String, String> next = new HashMap<>(snapshot.get().challenges());
        if (keyAuthorization == null) {
            next.remove(token);
        } else {
            next.put(token, keyAuthorization);
        }
        swap(snapshot.get().withChallenges(next));
    }

    /** Redirects the plain HTTP requests of the route of {@code host} (and its aliases) to HTTPS, or stops. */
    public synchronized void httpsRedirect(String host, boolean on) {
        String key = RoutingSnapshot.normalizeHost(host);
        java.util.Set<String> next = new HashSet<>(snapshot.get().httpsRedirects());
        if (on ? next.add(key) : next.remove(key)) {
            swap(snapshot.get().withHttpsRedirects(next));
        }
    }

    /**
     * Serves each VPC ingress connection on its private listener ({@code names}: by listener, domain name to service host),
     * takes private services ({@code privateHosts}) off the public listeners, and serves DUAL_STACK services
     * ({@code dualStackHosts}) on the IPv6 listener too, replacing what was served before.
     */
    public synchronized void privateIngress(Map<String, Map<String, String>> names, java.util.Set<String> privateHosts,
                                            java.util.Set<String> dualStackHosts) {
        Map<String, Map<String, String>> normalized = new HashMap<>();
        names.forEach((listener, byName) -> {
            Map<String, String> m = new HashMap<>();
            byName.forEach((name, host) -> m.put(RoutingSnapshot.normalizeHost(name), RoutingSnapshot.normalizeHost(host)));
            normalized.put(listener, m);
        });
        java.util.Set<String> keys = new HashSet<>();
        privateHosts.forEach(h -> keys.add(RoutingSnapshot.normalizeHost(h)));
        java.util.Set<String> dual = new HashSet<>();
        dualStackHosts.forEach(h -> dual.add(RoutingSnapshot.normalizeHost(h)));
        RoutingSnapshot now = snapshot.get();
        if (!normalized.equals(now.privateNames()) || !keys.equals(now.privateOnly()) || !dual.equals(now.dualStack())) {
            swap(now.withPrivateIngress(normalized, keys).withDualStack(dual));
        }
    }

    /** Traces the requests of the route of {@code host} (its service's observability configuration turns tracing on), or stops. */
    public synchronized void trace(String host, boolean on) {
        String key = RoutingSnapshot.normalizeHost(host);
        java.util.Set<String> next = new HashSet<>(snapshot.get().traced());
        if (on ? next.add(key) : next.remove(key)) {
            swap(snapshot.get().withTraced(next));
        }
    }

    /**
     * Sets the other names that lead to the route of {@code host} (its custom domains; a wildcard {@code *.example.com}
     * covers the immediate subdomains), replacing those it had.
     */
    public synchronized void alias(String host, java.util.Collection<String> names) {
        String target = RoutingSnapshot.normalizeHost(host);
        Map<String, String> next = new HashMap<>(snapshot.get().aliases());
        next.values().removeIf(target::equals);
        names.forEach(n -> next.put(n.toLowerCase(java.util.Locale.ROOT), target));
        inheritedAliases.remove(target);
        swap(snapshot.get().withAliases(next));
    }

    /** Serves {@code routes} instead of the current ones (a follower applying its leader's routes). */
    public synchronized void replaceAll(RoutingSnapshot routes) {
        swap(routes);
    }

    /**
     * This process takes over the routes it followed: they keep serving until it sets its own, and those of hosts it
     * does not set before {@link #lead} are removed then.
     */
    public synchronized void inherit() {
        inherited.addAll(snapshot.get().routes().keySet());
        inheritedAliases.addAll(snapshot.get().aliases().values());
    }

    /**
     * This process leads: routes inherited and not set since are removed (services deleted while no one led), and
     * from now on every change is published to {@code sharing} (null: not shared).
     */
    public synchronized void lead(RouteSharing sharing) {
        Map<String, Route> next = new HashMap<>(snapshot.get().routes());
        next.keySet().removeAll(inherited);
        inherited.clear();
        Map<String, String> aliases = new HashMap<>(snapshot.get().aliases());
        aliases.values().removeAll(inheritedAliases);
        inheritedAliases.clear();
        this.sharing = sharing;
        RoutingSnapshot now = snapshot.get();
        swap(new RoutingSnapshot(next, aliases, now.challenges(), now.httpsRedirects(), now.traced(), now.privateNames(), now.privateOnly(),
                now.dualStack()));
    }

    /** Stops publishing changes (handing over to the next leader: what followers serve stays as it is). */
    public void stopSharing() {
        sharing = null;
    }

    private void swap(RoutingSnapshot next) {
        snapshot.set(next);
        RouteSharing s = sharing;
        if (s != null) {
            s.publish(next);
        }
        dispatchAll(); // new endpoints take waiting requests; a route that stopped serving answers them
    }

    /** Replaces every route by one answering 503 with {@code message}; nothing is leased afterwards. */
    public synchronized void closeAll(String message) {
        Map<String, Route> next = new HashMap<>();
        snapshot.get().routes().forEach((host, r) -> next.put(host, Route.unavailable(r.serviceId(), r.serviceName(), message)));
        swap(snapshot.get().withRoutes(next));
    }

    @Override
    public Acquisition acquire(String hostHeader) {
        // the router hands over the host it normalized already: a key as it is needs no second pass
        RoutingSnapshot now = snapshot.get();
        String host = now.routes().containsKey(hostHeader) ? hostHeader : now.key(RoutingSnapshot.normalizeHost(hostHeader));
        if (host == null) {
            return ServiceLoad.noRoute(null);
        }
        long started = System.nanoTime();
        Route route = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            route = snapshot.get().routes().get(host);
            if (route != null && route.state() == Route.State.IDLE) {
                return awaitInstance(host, route, started);
            }
            if (route == null || !route.serves()) {
                return ServiceLoad.noRoute(route);
            }
            ServiceLoad service = service(route);
            if (!service.hasWaiting()) { // first come, first served: nobody overtakes a waiting request
                Object leased = tryLease(host, route, service, started);
                if (leased == STALE) {
                    continue;
                }
                if (leased != FULL) {
                    return (Acquisition) leased;
                }
            }
            ServiceLoad.Ticket ticket = service.offer(host, started, admission);
            if (ticket == null) {
                service.shed();
                return new Acquisition.Saturated(route);
            }
            dispatch(service); // capacity may have come back before the ticket was queued
            return new Acquisition.Queued(ticket);
        }
        service(route).shed();
        return new Acquisition.Saturated(route);
    }

    /** A request for a service scaled to zero waits in its queue, and whoever starts instances is told (once per wait). */
    private Acquisition awaitInstance(String host, Route route, long started) {
        ServiceLoad service = service(route);
        ServiceLoad.Ticket ticket = service.offer(host, started, admission);
        if (ticket == null) {
            service.shed();
            return new Acquisition.Saturated(route);
        }
        signals.wake(route.serviceId(), started);
        dispatch(service); // an instance may have started meanwhile
        return new Acquisition.Queued(ticket);
    }

    private final RoutingSignals signals = new RoutingSignals();

    /**
     * Tells {@code listener} the name of a service that was scaled to zero and serves again, with how long its first
     * request waited for an instance (nanoseconds): the cold start as a client sees it.
     */
    public void onWoken(java.util.function.ObjLongConsumer<String> listener) {
        signals.onWoken(listener);
    }

    /**
     * Tells {@code listener} the id of a service scaled to zero each time a request comes for it (it must not block: it
     * is called on the router's threads, and may be called again before the instance is up).
     */
    public void onWake(java.util.function.Consumer<String> listener) {
        signals.onWake(listener);
    }

    private static final Object FULL = new Object();
    private static final Object STALE = new Object();

    /**
     * Leases the least loaded endpoint of {@code route} that serves fewer than MaxConcurrency requests: a
     * {@link Acquisition.Leased}, or {@link #FULL} if none does, or {@link #STALE} if the route changed meanwhile.
     */
    private Object tryLease(String host, Route route, ServiceLoad service, long started) {
        List<Endpoint> endpoints = route.endpoints();
        int n = endpoints.size();
        int offset = (int) (Thread.currentThread().getId() % n); // spreads ties across event loops
        Splits.Guard guard = route.split() == null ? null : splits.guard(route);
        // a progressive deployment: the new revision's instances (true) or the previous one's (false) take this request
        Boolean canary = guard == null ? null : Splits.canary(route, guard);
        while (true) {
            Endpoint best = null;
            AtomicInteger bestCount = null;
            int bestLoad = route.maxConcurrency();
            for (int i = 0; i < n; i++) {
                Endpoint e = endpoints.get((offset + i) % n);
                if (canary != null && route.split().instanceIds().contains(e.instanceId()) != canary) {
                    continue;
                }
                AtomicInteger count = counter(e.instanceId());
                int load = count.get();
                if (load < bestLoad) {
                    best = e;
                    bestCount = count;
                    bestLoad = load;
                }
            }
            if (best == null) {
                return FULL;
            }
            if (!bestCount.compareAndSet(bestLoad, bestLoad + 1)) {
                continue; // another request took or freed a slot first (so some request progressed): look again
            }
            Route now = snapshot.get().routes().get(host);
            if (now != null && now.state() == Route.State.SERVING && now.endpoints().contains(best)) {
                service.leased();
                return new Acquisition.Leased(new EndpointLease(host, now, best, bestCount, service, this, started,
                        Boolean.TRUE.equals(canary) ? guard : null));
            }
            decrement(bestCount);
            return STALE;
        }
    }

    /**
     * Why the router stopped sending requests to revision {@code revisionId} of service {@code serviceId} in a split (its
     * 5xx responses passed the split's share), if it did.
     */
    public Optional<String> canaryFailure(String serviceId, String revisionId) {
        return splits.failure(serviceId, revisionId);
    }

    private final Splits splits = new Splits();

    /**
     * Hands free capacity to the service's waiting requests, oldest first, and tells them when their route stopped
     * serving. Runs on whichever thread freed capacity or queued a request; the lock is only taken while some wait.
     */
    void dispatch(ServiceLoad service) {
        synchronized (service) {
            ServiceLoad.Ticket head;
            while ((head = service.head()) != null) {
                Route route = snapshot.get().routes().get(head.host);
                Acquisition decided;
                if (route != null && route.state() == Route.State.IDLE) {
                    return; // waiting for the instance that is starting
                }
                if (route == null || !route.serves()) {
                    decided = ServiceLoad.noRoute(route);
                } else {
                    Object leased = tryLease(head.host, route, service, head.started);
                    if (leased == FULL) {
                        return;
                    }
                    if (leased == STALE) {
                        continue;
                    }
                    decided = (Acquisition) leased;
                }
                if (!head.decide(decided) && decided instanceof Acquisition.Leased l) {
                    ((EndpointLease) l.lease()).abandon(); // it gave up meanwhile
                }
            }
        }
    }

    /** Dispatches to the waiting requests of every service (after routes changed). */
    private void dispatchAll() {
        services.values().stream().filter(ServiceLoad::hasWaiting).forEach(this::dispatch);
    }

    /** Requests in flight to an instance. */
    public int inFlight(String instanceId) {
        AtomicInteger c = inFlight.get(instanceId);
        return c == null ? 0 : c.get();
    }

    /**
     * Requests in flight to a service now, and its peak since the previous sample of it (which this call starts anew);
     * while routes are shared, the peak adds what the followers' routers reported last.
     */
    public ServiceConcurrency sampleConcurrency(String serviceId) {
        ServiceLoad c = services.get(serviceId);
        ServiceConcurrency own = c == null ? new ServiceConcurrency(0, 0, 0) : c.sample();
        RouteSharing s = sharing;
        return s == null ? own : new ServiceConcurrency(own.inFlight(), own.queued(), own.peak() + s.followersPeak(serviceId));
    }

    /**
     * Waits until no request is in flight to any of {@code instanceIds} (they must already be out of the snapshot), in
     * this router and, while routes are shared, in the followers' routers. Returns false if {@code timeout} passed first.
     */
    public boolean awaitIdle(Collection<String> instanceIds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!awaitLocallyIdle(instanceIds, timeout)) {
            return false;
        }
        RouteSharing s = sharing;
        return s == null || s.awaitFollowers(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /** Waits until this router has no request in flight to any of {@code instanceIds}. */
    public boolean awaitLocallyIdle(Collection<String> instanceIds, Duration timeout) throws InterruptedException {
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
    void decrement(AtomicInteger count) {
        if (count.decrementAndGet() == 0 && draining.get() > 0) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Waits until no request is in flight anywhere (routes must already be closed). */
    public boolean awaitAllIdle(Duration timeout) throws InterruptedException {
        return awaitLocallyIdle(inFlight.keySet(), timeout);
    }

    /** The instances with a counter here that no route of the current snapshot has (a follower drains them). */
    public Set<String> instancesNotRouted() {
        Set<String> routed = new HashSet<>();
        snapshot.get().routes().values().forEach(r -> r.endpoints().forEach(e -> routed.add(e.instanceId())));
        Set<String> gone = new HashSet<>(inFlight.keySet());
        gone.removeAll(routed);
        return gone;
    }

    /** Forgets the counters of instances that are gone. */
    public void forget(Collection<String> instanceIds) {
        instanceIds.forEach(inFlight::remove);
    }

    @Override
    public void onEvicted(java.util.function.Consumer<Collection<String>> listener) {
        signals.onEvicted(listener);
    }

    /**
     * The drain of {@code instanceIds} timed out: the routers close the connections still held on them (WebSockets get
     * a close frame, 1001 going away), so they end before the instances stop rather than with them.
     */
    public void evict(Collection<String> instanceIds) {
        signals.evict(instanceIds);
    }

    @Override
    public void rejected(Route route, int status) {
        service(route).answered(status, 0);
    }

    private ServiceLoad service(Route route) {
        return services.computeIfAbsent(route.serviceId(), k -> new ServiceLoad(meters, route.serviceId(), route.serviceName(), this));
    }

    /** Forgets the concurrency samples of a deleted service. */
    public void forgetService(String serviceId) {
        splits.forget(serviceId);
        ServiceLoad gone = services.remove(serviceId);
        if (gone != null) {
            dispatch(gone); // its routes are gone: whatever still waits is answered
            gone.meters.forEach(meters::remove);
        }
    }

    private AtomicInteger counter(String instanceId) {
        return inFlight.computeIfAbsent(instanceId, k -> new AtomicInteger());
    }
}
