package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Admission;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.core.routing.RoutingView.Acquisition;
import dev.slipway.core.routing.ServiceConcurrency;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Who gets an endpoint for a request, on the routes of a {@link RoutingTable}: a lease on the least loaded endpoint
 * under MaxConcurrency, else a place in its service's admission queue (first come, first served), handed capacity as
 * leases end or routes change; with the per-instance counts that drains wait on and the per-service metrics.
 */
final class Leases {
    private final AtomicReference<RoutingSnapshot> snapshot;
    private final MeterRegistry meters;
    private final Admission admission;
    private final RoutingSignals signals;
    final InFlightCounts inFlight = new InFlightCounts();
    private final Map<String, ServiceLoad> services = new ConcurrentHashMap<>();
    private final Splits splits = new Splits();

    Leases(AtomicReference<RoutingSnapshot> snapshot, MeterRegistry meters, Admission admission, RoutingSignals signals) {
        this.snapshot = snapshot;
        this.meters = meters;
        this.admission = admission;
        this.signals = signals;
    }

    /** The router's request for {@code hostHeader}: an endpoint leased, a place in the queue, or why neither. */
    Acquisition acquire(String hostHeader) {
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
                AtomicInteger count = inFlight.counter(e.instanceId());
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
            inFlight.decrement(bestCount);
            return STALE;
        }
    }

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
    void dispatchAll() {
        services.values().stream().filter(ServiceLoad::hasWaiting).forEach(this::dispatch);
    }

    /** Why the router stopped sending requests to a revision in a split, if it did (see {@link RoutingTable#canaryFailure}). */
    Optional<String> canaryFailure(String serviceId, String revisionId) {
        return splits.failure(serviceId, revisionId);
    }

    /** Requests in flight to a service now, and its peak since the previous sample of it (which this call starts anew). */
    ServiceConcurrency sample(String serviceId) {
        ServiceLoad c = services.get(serviceId);
        return c == null ? new ServiceConcurrency(0, 0, 0) : c.sample();
    }

    /** A request the router answered itself ({@code status}) counts for its route's service. */
    void rejected(Route route, int status) {
        service(route).answered(status, 0);
    }

    /** Forgets a deleted service: its split, its metrics, and answers what still waits for it. */
    void forgetService(String serviceId) {
        splits.forget(serviceId);
        ServiceLoad gone = services.remove(serviceId);
        if (gone != null) {
            dispatch(gone); // its routes are gone: whatever still waits is answered
            gone.meters.forEach(meters::remove);
        }
    }

    private ServiceLoad service(Route route) {
        return services.computeIfAbsent(route.serviceId(), k -> new ServiceLoad(meters, route.serviceId(), route.serviceName(), snapshot));
    }
}
