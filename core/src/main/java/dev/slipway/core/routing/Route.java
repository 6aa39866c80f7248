package dev.slipway.core.routing;

import dev.slipway.core.model.AutoScalingConfiguration;
import java.util.List;

/**
 * Where requests for one host go. A route with state {@link State#SERVING} and no endpoints answers 503, as does a
 * paused one; {@link #message()} says why, for the response body.
 *
 * @param serviceId      the service's id (ServiceId), which concurrency samples are keyed by
 * @param maxConcurrency requests one instance is meant to serve at once (the auto scaling configuration's
 *                       MaxConcurrency), for admission and the autoscaler
 */
public record Route(String serviceId, String serviceName, State state, List<Endpoint> endpoints, int maxConcurrency,
                    String message, Split split) {
    /**
     * A progressive deployment's share: {@code percent} of the requests go to the instances of a new revision
     * ({@code instanceIds}, among the endpoints), the rest to the others (the previous revision's). While the split
     * lasts the router counts the new revision's answers, and stops sending it requests once its 5xx responses pass
     * {@code max5xxPercent} of them (judged over at least {@link #MIN_JUDGED} requests: a 5xx more than that share of
     * {@code max(requests, MIN_JUDGED)}); the deployment then rolls back.
     */
    public record Split(String revisionId, java.util.Set<String> instanceIds, int percent, int max5xxPercent) {
        /** Requests a new revision's 5xx share is judged over, at least: one early failure is not a rate. */
        public static final int MIN_JUDGED = 20;

        public Split {
            instanceIds = java.util.Set.copyOf(instanceIds);
            if (percent < 0 || percent > 100 || max5xxPercent < 0 || max5xxPercent > 100) {
                throw new IllegalArgumentException("percentages are 0 to 100: " + percent + ", " + max5xxPercent);
            }
        }

        /** Whether {@code errors} 5xx answers among {@code requests} pass the share this split allows. */
        public boolean failing(long requests, long errors) {
            return errors * 100 > (long) max5xxPercent * Math.max(requests, MIN_JUDGED);
        }
    }

    /**
     * Whether requests are proxied, answered by the router itself, or, for a service scaled to zero ({@link #IDLE}), held
     * in its admission queue while an instance starts.
     */
    public enum State { SERVING, PAUSED, UNAVAILABLE, IDLE }

    public Route {
        endpoints = List.copyOf(endpoints);
    }

    public Route(String serviceId, String serviceName, State state, List<Endpoint> endpoints, int maxConcurrency, String message) {
        this(serviceId, serviceName, state, endpoints, maxConcurrency, message, null);
    }

    /** This serving route with {@code split} of its requests going to a new revision's instances. */
    public Route splitting(Split next) {
        return new Route(serviceId, serviceName, state, endpoints, maxConcurrency, message, next);
    }

    public static Route serving(String serviceId, String serviceName, List<Endpoint> endpoints, int maxConcurrency) {
        return new Route(serviceId, serviceName, State.SERVING, endpoints, maxConcurrency,
                "Service " + serviceName + " has no healthy instance right now. Try again shortly.");
    }

    /** A running service scaled to zero: the next request waits in the admission queue while an instance starts. */
    public static Route idle(String serviceId, String serviceName, int maxConcurrency) {
        return new Route(serviceId, serviceName, State.IDLE, List.of(), maxConcurrency,
                "Service " + serviceName + " was scaled to zero and could not start an instance in time. Try again shortly.");
    }

    public static Route paused(String serviceId, String serviceName) {
        return new Route(serviceId, serviceName, State.PAUSED, List.of(), AutoScalingConfiguration.DEFAULT_MAX_CONCURRENCY,
                "Service " + serviceName + " is paused. Resume it (ResumeService) to serve requests again.");
    }

    public static Route unavailable(String serviceId, String serviceName, String message) {
        return new Route(serviceId, serviceName, State.UNAVAILABLE, List.of(), AutoScalingConfiguration.DEFAULT_MAX_CONCURRENCY, message);
    }

    /** Whether the router proxies requests of this route to instances. */
    public boolean serves() {
        return state == State.SERVING && !endpoints.isEmpty();
    }
}
