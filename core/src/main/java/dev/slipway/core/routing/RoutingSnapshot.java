package dev.slipway.core.routing;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An immutable view of all routes, keyed by lower-case host name without port, and of the other names that lead to
 * them (custom domains: {@code shop.example.com}, {@code www.shop.example.com} or {@code *.example.com}, each naming the
 * host of a route), and the ACME HTTP-01 challenges the router answers ({@code /.well-known/acme-challenge/<token>}:
 * the key authorization, on every host), and the routes whose plain HTTP requests are redirected to HTTPS (by their
 * keys, for services that opted in), and the routes whose requests the router traces (by their keys, for services
 * whose observability configuration turns tracing on), and what private listeners serve (VPC ingress connections' domain
 * names) and which routes only they serve (private services). Swapped whole on every change.
 */
public record RoutingSnapshot(Map<String, Route> routes, Map<String, String> aliases, Map<String, String> challenges,
                              java.util.Set<String> httpsRedirects, java.util.Set<String> traced,
                              Map<String, Map<String, String>> privateNames, java.util.Set<String> privateOnly,
                              java.util.Set<String> dualStack) {
    public static final RoutingSnapshot EMPTY = new RoutingSnapshot(Map.of(), Map.of(), Map.of(), java.util.Set.of(), java.util.Set.of());

    public RoutingSnapshot {
        routes = Map.copyOf(routes);
        aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        challenges = challenges == null ? Map.of() : Map.copyOf(challenges);
        httpsRedirects = httpsRedirects == null ? java.util.Set.of() : java.util.Set.copyOf(httpsRedirects);
        traced = traced == null ? java.util.Set.of() : java.util.Set.copyOf(traced);
        privateNames = privateNames == null ? Map.of() : Map.copyOf(privateNames);
        privateOnly = privateOnly == null ? java.util.Set.of() : java.util.Set.copyOf(privateOnly);
        dualStack = dualStack == null ? java.util.Set.of() : java.util.Set.copyOf(dualStack);
    }

    public RoutingSnapshot(Map<String, Route> routes, Map<String, String> aliases, Map<String, String> challenges,
                           java.util.Set<String> httpsRedirects, java.util.Set<String> traced) {
        this(routes, aliases, challenges, httpsRedirects, traced, Map.of(), java.util.Set.of(), java.util.Set.of());
    }

    public RoutingSnapshot(Map<String, Route> routes) {
        this(routes, Map.of(), Map.of(), java.util.Set.of(), java.util.Set.of());
    }

    /** These routes, with other aliases. */
    public RoutingSnapshot withAliases(Map<String, String> next) {
        return new RoutingSnapshot(routes, next, challenges, httpsRedirects, traced, privateNames, privateOnly, dualStack);
    }

    /** These routes, with other routes. */
    public RoutingSnapshot withRoutes(Map<String, Route> next) {
        return new RoutingSnapshot(next, aliases, challenges, httpsRedirects, traced, privateNames, privateOnly, dualStack);
    }

    /** These routes, with other challenges. */
    public RoutingSnapshot withChallenges(Map<String, String> next) {
        return new RoutingSnapshot(routes, aliases, next, httpsRedirects, traced, privateNames, privateOnly, dualStack);
    }

    /** These routes, with other redirects. */
    public RoutingSnapshot withHttpsRedirects(java.util.Set<String> next) {
        return new RoutingSnapshot(routes, aliases, challenges, next, traced, privateNames, privateOnly, dualStack);
    }

    /** These routes, with other traced routes. */
    public RoutingSnapshot withTraced(java.util.Set<String> next) {
        return new RoutingSnapshot(routes, aliases, challenges, httpsRedirects, next, privateNames, privateOnly, dualStack);
    }

    /**
     * These routes, served on private listeners as {@code names} says (by listener, each VPC ingress connection's domain
     * name to the key of its service's route), and the keys of routes of private services ({@code only}), which the
     * public listeners do not serve.
     */
    public RoutingSnapshot withPrivateIngress(Map<String, Map<String, String>> names, java.util.Set<String> only) {
        return new RoutingSnapshot(routes, aliases, challenges, httpsRedirects, traced, names, only, dualStack);
    }

    /** These routes, the IPv6 listener serving those of {@code keys} (services with IpAddressType DUAL_STACK) only. */
    public RoutingSnapshot withDualStack(java.util.Set<String> keys) {
        return new RoutingSnapshot(routes, aliases, challenges, httpsRedirects, traced, privateNames, privateOnly, keys);
    }

    /** Whether the router's IPv6 listener serves {@code hostHeader}: its route is a DUAL_STACK service's. */
    public boolean dualStack(String hostHeader) {
        String key = dualStack.isEmpty() ? null : key(normalizeHost(hostHeader));
        return key != null && dualStack.contains(key);
    }

    /** The key of the route a private listener serves at {@code hostHeader} (a VPC ingress connection's domain name), or null. */
    public String privateKey(String listener, String hostHeader) {
        Map<String, String> names = privateNames.get(listener);
        return names == null ? null : names.get(normalizeHost(hostHeader));
    }

    /** Whether the public listeners leave {@code hostHeader} unanswered (404): its route is a private service's. */
    public boolean privateOnly(String hostHeader) {
        if (privateOnly.isEmpty()) {
            return false;
        }
        String key = key(normalizeHost(hostHeader));
        return key != null && privateOnly.contains(key);
    }

    /** The route for a Host header value or a ServiceUrl (port, case and a trailing dot ignored). */
    public Optional<Route> route(String hostHeader) {
        String key = key(normalizeHost(hostHeader));
        return key == null ? Optional.empty() : Optional.ofNullable(routes.get(key));
    }

    /**
     * The key of the route a normalized host name leads to: the name itself when it is a route's host, else the host
     * an alias of it names, where an exact alias wins over a wildcard one ({@code login.example.com} over
     * {@code *.example.com}, which covers the immediate subdomains only); null when none does.
     */
    public String key(String host) {
        if (routes.containsKey(host) || aliases.isEmpty()) {
            return routes.containsKey(host) ? host : null;
        }
        String target = aliases.get(host);
        if (target == null) {
            int dot = host.indexOf('.');
            target = dot > 0 ? aliases.get("*" + host.substring(dot)) : null;
        }
        return target;
    }

    /**
     * The host name a route is keyed by: lower case, without port or trailing dot ({@code [::1]} keeps its brackets).
     *
     * @throws IllegalArgumentException when the value is not {@code host[:port]} with a valid domain name or IP address
     */
    public static String normalizeHost(String hostHeader) {
        String known = NORMALIZED.get(hostHeader);
        if (known != null) {
            return known;
        }
        String h = parseHost(hostHeader);
        if (NORMALIZED.size() < NORMALIZED_LIMIT) {
            NORMALIZED.put(hostHeader, h);
        }
        return h;
    }

    /** Host header values seen, normalized (the router asks for every request; parsing and validating is the cost). */
    private static final Map<String, String> NORMALIZED = new ConcurrentHashMap<>();
    private static final int NORMALIZED_LIMIT = 4096;

    private static String parseHost(String hostHeader) {
        HostAndPort parsed = HostAndPort.fromString(hostHeader.trim());
        String h = parsed.getHost().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (InetAddresses.isInetAddress(h)) {
            return h.contains(":") ? "[" + h + "]" : h;
        }
        if (!InternetDomainName.isValid(h)) {
            throw new IllegalArgumentException("'" + h + "' is not a valid host name");
        }
        return h;
    }
}
