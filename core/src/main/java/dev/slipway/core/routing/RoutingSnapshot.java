package dev.slipway.core.routing;

import java.util.Map;
import java.util.Optional;

/** An immutable view of all routes, keyed by lower-case host name without port. Swapped whole on every change. */
public record RoutingSnapshot(Map<String, Route> routes) {
    public static final RoutingSnapshot EMPTY = new RoutingSnapshot(Map.of());

    public Optional<Route> route(String host) {
        return Optional.ofNullable(routes.get(host));
    }
}
