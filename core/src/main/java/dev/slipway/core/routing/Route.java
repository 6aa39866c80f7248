package dev.slipway.core.routing;

import java.util.List;

/**
 * Where requests for one host go. A route with state {@link State#SERVING} and no endpoints answers 503, as does a
 * paused one; {@link #message()} says why, for the response body.
 */
public record Route(String serviceName, State state, List<Endpoint> endpoints, String message) {
    /** Whether requests are proxied, or answered by the router itself. */
    public enum State { SERVING, PAUSED, UNAVAILABLE }

    public static Route serving(String serviceName, List<Endpoint> endpoints) {
        return new Route(serviceName, State.SERVING, List.copyOf(endpoints),
                "Service " + serviceName + " has no healthy instance right now. Try again shortly.");
    }

    public static Route paused(String serviceName) {
        return new Route(serviceName, State.PAUSED, List.of(),
                "Service " + serviceName + " is paused. Resume it (ResumeService) to serve requests again.");
    }

    public static Route unavailable(String serviceName, String message) {
        return new Route(serviceName, State.UNAVAILABLE, List.of(), message);
    }
}
