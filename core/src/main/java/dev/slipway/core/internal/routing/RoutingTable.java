package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Admission;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;

/**
 * The routes the router reads: host to service to healthy endpoints, as an atomically swapped
 * {@link RoutingSnapshot}, and the requests in flight per endpoint and per service ({@link Leases}: who gets an endpoint).
 * This class is the write side, owned by core; the router is handed it as a {@link RoutingView}.
 *
 * <p>Draining is exact: the router takes a lease on an endpoint with {@link #acquire(String)}, which increments the
 * endpoint's in-flight count and then re-reads the snapshot; core swaps the snapshot first and waits for the count
 * to reach zero ({@link #awaitIdle}). Either the router sees the new snapshot and picks again, or core sees its
 * request in flight and waits for it.
 */
public final class RoutingTable implements RoutingView {
    private final AtomicReference<RoutingSnapshot> snapshot = new AtomicReference<>(RoutingSnapshot.EMPTY);
    private final RoutingSignals signals = new RoutingSignals();
    private final Leases leases;
    private final InFlightCounts inFlight;
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
        this.leases = new Leases(snapshot, meters, admission, signals);
        this.inFlight = leases.inFlight;
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
        Set<String> next = new HashSet<>(snapshot.get().httpsRedirects());
        if (on ? next.add(key) : next.remove(key)) {
            swap(snapshot.get().withHttpsRedirects(next));
        }
    }

    /**
     * Serves each VPC ingress connection on its private listener ({@code names}: by listener, domain name to service host),
     * takes private services ({@code privateHosts}) off the public listeners, and serves DUAL_STACK services
     * ({@code dualStackHosts}) on the IPv6 listener too, replacing what was served before.
     */
    public synchronized void privateIngress(Map<String, Map<String, String>> names, Set<String> privateHosts,
                                            Set<String> dualStackHosts) {
        Map<String, Map<String, String>> normalized = new HashMap<>();
        names.forEach((listener, byName) -> {
            Map<String, String> m = new HashMap<>();
            byName.forEach((name, host) -> m.put(RoutingSnapshot.normalizeHost(name), RoutingSnapshot.normalizeHost(host)));
            normalized.put(listener, m);
        });
        Set<String> keys = new HashSet<>();
        privateHosts.forEach(h -> keys.add(RoutingSnapshot.normalizeHost(h)));
        Set<String> dual = new HashSet<>();
        dualStackHosts.forEach(h -> dual.add(RoutingSnapshot.normalizeHost(h)));
        RoutingSnapshot now = snapshot.get();
        if (!normalized.equals(now.privateNames()) || !keys.equals(now.privateOnly()) || !dual.equals(now.dualStack())) {
            swap(now.withPrivateIngress(normalized, keys).withDualStack(dual));
        }
    }

    /** Traces the requests of the route of {@code host} (its service's observability configuration turns tracing on), or stops. */
    public synchronized void trace(String host, boolean on) {
        String key = RoutingSnapshot.normalizeHost(host);
        Set<String> next = new HashSet<>(snapshot.get().traced());
        if (on ? next.add(key) : next.remove(key)) {
            swap(snapshot.get().withTraced(next));
        }
    }

    /**
     * Sets the other names that lead to the route of {@code host} (its custom domains; a wildcard {@code *.example.com}
     * covers the immediate subdomains), replacing those it had.
     */
    public synchronized void alias(String host, Collection<String> names) {
        String target = RoutingSnapshot.normalizeHost(host);
        Map<String, String> next = new HashMap<>(snapshot.get().aliases());
        next.values().removeIf(target::equals);
        names.forEach(n -> next.put(n.toLowerCase(Locale.ROOT), target));
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
        leases.dispatchAll(); // new endpoints take waiting requests; a route that stopped serving answers them
    }

    /** Replaces every route by one answering 503 with {@code message}; nothing is leased afterwards. */
    public synchronized void closeAll(String message) {
        Map<String, Route> next = new HashMap<>();
        snapshot.get().routes().forEach((host, r) -> next.put(host, Route.unavailable(r.serviceId(), r.serviceName(), message)));
        swap(snapshot.get().withRoutes(next));
    }

    @Override
    public Acquisition acquire(String hostHeader) {
        return leases.acquire(hostHeader);
    }

    /**
     * Tells {@code listener} the name of a service that was scaled to zero and serves again, with how long its first
     * request waited for an instance (nanoseconds): the cold start as a client sees it.
     */
    public void onWoken(ObjLongConsumer<String> listener) {
        signals.onWoken(listener);
    }

    /**
     * Tells {@code listener} the id of a service scaled to zero each time a request comes for it (it must not block: it
     * is called on the router's threads, and may be called again before the instance is up).
     */
    public void onWake(Consumer<String> listener) {
        signals.onWake(listener);
    }

    /**
     * Why the router stopped sending requests to revision {@code revisionId} of service {@code serviceId} in a split (its
     * 5xx responses passed the split's share), if it did.
     */
    public Optional<String> canaryFailure(String serviceId, String revisionId) {
        return leases.canaryFailure(serviceId, revisionId);
    }


    /** Requests in flight to an instance. */
    public int inFlight(String instanceId) {
        return inFlight.get(instanceId);
    }

    /**
     * Requests in flight to a service now, and its peak since the previous sample of it (which this call starts anew);
     * while routes are shared, the peak adds what the followers' routers reported last.
     */
    public ServiceConcurrency sampleConcurrency(String serviceId) {
        ServiceConcurrency own = leases.sample(serviceId);
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
        return inFlight.awaitIdle(instanceIds, timeout);
    }


    /** Waits until no request is in flight anywhere (routes must already be closed). */
    public boolean awaitAllIdle(Duration timeout) throws InterruptedException {
        return awaitLocallyIdle(inFlight.instances(), timeout);
    }

    /** The instances with a counter here that no route of the current snapshot has (a follower drains them). */
    public Set<String> instancesNotRouted() {
        Set<String> routed = new HashSet<>();
        snapshot.get().routes().values().forEach(r -> r.endpoints().forEach(e -> routed.add(e.instanceId())));
        Set<String> gone = new HashSet<>(inFlight.instances());
        gone.removeAll(routed);
        return gone;
    }

    /** Forgets the counters of instances that are gone. */
    public void forget(Collection<String> instanceIds) {
        inFlight.forget(instanceIds);
    }

    @Override
    public void onEvicted(Consumer<Collection<String>> listener) {
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
        leases.rejected(route, status);
    }

    /** Forgets the concurrency samples of a deleted service. */
    public void forgetService(String serviceId) {
        leases.forgetService(serviceId);
    }
}
