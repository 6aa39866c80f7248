package dev.slipway.core.routing;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** An immutable view of all routes, keyed by lower-case host name without port. Swapped whole on every change. */
public record RoutingSnapshot(Map<String, Route> routes) {
    public static final RoutingSnapshot EMPTY = new RoutingSnapshot(Map.of());

    public RoutingSnapshot {
        routes = Map.copyOf(routes);
    }

    /** The route for a Host header value or a ServiceUrl (port, case and a trailing dot ignored). */
    public Optional<Route> route(String hostHeader) {
        return Optional.ofNullable(routes.get(normalizeHost(hostHeader)));
    }

    /** The host name a route is keyed by: lower case, without port or trailing dot. */
    public static String normalizeHost(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        int colon = h.indexOf(':');
        h = colon >= 0 ? h.substring(0, colon) : h;
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
