package dev.slipway.core.routing;

import java.util.Optional;

/**
 * The read side of the routing table, all a router needs: the current snapshot, and leases on endpoints. Every
 * method is non-blocking, safe on an event loop.
 */
public interface RoutingView {
    /** The routes as they are now. */
    RoutingSnapshot snapshot();

    /** The route for a Host header value (port and case ignored). */
    default Optional<Route> route(String hostHeader) {
        return snapshot().route(hostHeader);
    }

    /**
     * Leases the endpoint of {@code host} with the fewest requests in flight. The caller must
     * {@link Lease#release()} a {@link Acquisition.Leased} lease once the response has ended.
     */
    Acquisition acquire(String hostHeader);

    /** The outcome of {@link #acquire}. */
    sealed interface Acquisition {
        /** An endpoint is leased; proxy to it, then release. */
        record Leased(Lease lease) implements Acquisition {
        }

        /** No host of that name ({@code route} empty), or its route does not serve now (paused, no healthy instance). */
        record NoRoute(Optional<Route> route) implements Acquisition {
        }

        /** The route serves, but no endpoint could be leased: its instances changed under heavy contention. */
        record Saturated(Route route) implements Acquisition {
        }
    }

    /** A request's hold on an endpoint; release it exactly once (further calls do nothing). */
    interface Lease {
        Endpoint endpoint();

        /** The status of the response (the instance's, or the router's own 502/504), for the service's metrics. */
        void answered(int status);

        void release();
    }

    /** A request for a known service that the router answered itself (503: paused, no instance, saturated). */
    default void rejected(Route route, int status) {
    }
}
