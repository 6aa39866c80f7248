package dev.slipway.core.spi;

import dev.slipway.core.routing.RoutingSnapshot;
import java.time.Duration;
import java.util.Map;

/**
 * The routes of one control plane, served by the routers of several processes: the leader publishes what its router
 * serves, the others (followers, e.g. the replicas of {@code slipway server} on Kubernetes that wait to lead) serve
 * the same, so whichever one a client reaches answers alike, and a change of leader loses no request. One object
 * plays either part: {@link #follow} until this process leads, then {@link #publish}.
 *
 * <p>Draining stays exact across processes: before an instance that left the routes is stopped, the leader waits
 * ({@link #awaitFollowers}) until every live follower has applied routes without it and finished its own requests to
 * it. Followers report their concurrency, so the autoscaler sizes services for the load of all routers.
 */
public interface RouteSharing extends AutoCloseable {
    /** Leader: the routes its router serves now, after every change. Never blocks; an implementation may coalesce. */
    void publish(RoutingSnapshot routes);

    /**
     * Leader: waits until the routes last published are written and every live follower has applied them (or newer)
     * and finished its requests to endpoints no longer in them. False if {@code timeout} passed first.
     */
    boolean awaitFollowers(Duration timeout) throws InterruptedException;

    /** Leader: the peak concurrency of service {@code serviceId} that the live followers reported last, summed. */
    int followersPeak(String serviceId);

    /** Follower: applies each snapshot the leader publishes, in order, from now until {@link #stopFollowing()}. */
    void follow(Follower follower);

    /** Stops following (this process leads now, or stops): the leader no longer waits for it. */
    void stopFollowing();

    /** The router of a follower, as the sharing drives it. */
    interface Follower {
        /** Serve these routes from now on. */
        void apply(RoutingSnapshot routes);

        /** Waits until no request is in flight to an endpoint that is not in the routes applied last. */
        boolean awaitDrained(Duration timeout) throws InterruptedException;

        /** The peak concurrency per service id since the previous call, for the leader's autoscaler. */
        Map<String, Integer> samplePeaks();
    }

    @Override
    void close();
}
