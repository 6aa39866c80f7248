package dev.slipway.core.routing;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

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
     * Leases the endpoint of {@code host} with the fewest requests in flight, if one serves fewer than the route's
     * MaxConcurrency; otherwise the request waits in the service's admission queue ({@link Acquisition.Queued}), or,
     * when that is full, is shed ({@link Acquisition.Saturated}). The caller must {@link Lease#release()} a lease once
     * the response has ended.
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

        /**
         * The route serves, but the request cannot be admitted: every instance serves MaxConcurrency requests and the
         * service's admission queue is full (or, rarely, its instances changed under heavy contention). Answer 503
         * with Retry-After; the table has counted it as shed.
         */
        record Saturated(Route route) implements Acquisition {
        }

        /** Every instance serves MaxConcurrency requests: the request waits in the service's queue for one. */
        record Queued(Waiter waiter) implements Acquisition {
        }
    }

    /** A request waiting for an instance. Exactly one of {@code whenDecided}'s action or a true {@code giveUp} happens. */
    interface Waiter {
        /** How long to wait before {@link #giveUp()}. */
        Duration maxWait();

        /**
         * Runs {@code action} once an endpoint is leased for the request ({@link Acquisition.Leased}), or the route
         * stopped serving meanwhile ({@link Acquisition.NoRoute}), on the thread that decided it (or at once).
         */
        void whenDecided(Consumer<Acquisition> action);

        /**
         * Stops waiting. True if the request was still waiting: it is counted as shed, and the caller answers 503 with
         * Retry-After. False if it was decided meanwhile: the action runs (or ran) instead.
         */
        boolean giveUp();

        /** Stops waiting because the client left: like {@link #giveUp()}, but nothing was answered, so nothing is counted. */
        boolean withdraw();
    }

    /** A request's hold on an endpoint; release it exactly once (further calls do nothing). */
    interface Lease {
        Endpoint endpoint();

        /** The key of the route it was leased on (its service's host). */
        String host();

        /** The route it was leased on, as it was then. */
        Route route();

        /** When the request asked for it ({@link System#nanoTime()}): the time since, less the time to lease, was its queue wait. */
        long startedNanos();

        /** The status of the response (the instance's, or the router's own 502/504), for the service's metrics. */
        void answered(int status);

        /**
         * The instance switched protocols (101: a WebSocket): the request is counted now, its latency the handshake's;
         * the lease stays held while the connection lives, and its {@link #release()} counts nothing more.
         */
        default void switched() {
            answered(101);
        }

        /** The connection held by this lease was closed because its instance was drained (a WebSocket: 1001 going away). */
        default void evicted() {
        }

        void release();
    }

    /**
     * Tells {@code listener} of instances whose drain timed out with connections still held (WebSockets): the router
     * closes those connections, as the instances are about to stop.
     */
    default void onEvicted(Consumer<java.util.Collection<String>> listener) {
    }

    /** A request for a known service that the router answered itself (503: paused, no instance, saturated). */
    default void rejected(Route route, int status) {
    }
}
