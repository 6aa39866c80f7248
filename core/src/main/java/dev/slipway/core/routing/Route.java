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
                    String message) {
    /**
     * Whether requests are proxied, answered by the router itself, or, for a service scaled to zero ({@link #IDLE}), held
     * in its admission queue while an instance starts.
     */
    public enum State { SERVING, PAUSED, UNAVAILABLE, IDLE }

    public Route {
        endpoints = List.copyOf(endpoints);
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
