package dev.slipway.core.internal.routing;

import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingView;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A request's hold on an endpoint ({@link Leases#acquire}): released once, counting the answer for the service's
 * metrics (and, on a split's new revision, for its guard) and handing the freed slot to a waiting request.
 */
final class EndpointLease implements RoutingView.Lease {
    private final String host;
    private final Route route;
    private final Endpoint endpoint;
    private final AtomicInteger count;
    private final ServiceLoad service;
    private final AtomicBoolean released = new AtomicBoolean();
    private final Leases leases;
    private final long started;
    private volatile int status;
    /** The guard of a split's new revision, when the lease is on one of its instances. */
    private final Splits.Guard guard;

    EndpointLease(String host, Route route, Endpoint endpoint, AtomicInteger count, ServiceLoad service, Leases leases,
                  long started, Splits.Guard guard) {
        this.guard = guard;
        this.host = host;
        this.route = route;
        this.leases = leases;
        this.started = started;
        this.endpoint = endpoint;
        this.count = count;
        this.service = service;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public Route route() {
        return route;
    }

    @Override
    public long startedNanos() {
        return started;
    }

    @Override
    public void answered(int status) {
        this.status = status;
    }

    @Override
    public void switched() {
        service.answered(101, System.nanoTime() - started);
        status = -1; // counted: its release counts nothing more
    }

    @Override
    public void evicted() {
        service.evicted();
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) {
            leases.inFlight.decrement(count);
            if (status == -1) {
                service.abandoned();
            } else {
                service.released(status, System.nanoTime() - started);
                if (guard != null && status > 0) {
                    guard.answered(status);
                }
            }
            if (service.hasWaiting()) {
                leases.dispatch(service);
            }
        }
    }

    /** Undoes a lease its request never used. */
    void abandon() {
        if (released.compareAndSet(false, true)) {
            leases.inFlight.decrement(count);
            service.abandoned();
        }
    }
}
