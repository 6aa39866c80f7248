package dev.slipway.router.netty.http1;

import dev.slipway.core.routing.RoutingSnapshot;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a request goes: its Host header and its target (origin form, or absolute form whose authority replaces Host),
 * and the route key the router routes by. One per connection: a kept-alive connection names the same host in every
 * request, so the last Host's bytes, String and route key are reused when the bytes are the same.
 */
final class RequestTarget {
    private byte[] lastHostBytes;
    private String lastHost;
    private String lastRouteKey;
    /** The current request's Host (null if none), and its absolute target's authority and origin form (null if none). */
    String host;
    String authority;
    String originTarget;

    /** A new request begins. */
    void reset() {
        host = null;
        authority = null;
        originTarget = null;
    }

    /** The Host value from {@code from} to {@code to}: the same String as the last request's when the bytes are. */
    void host(byte[] b, int from, int to) {
        if (host != null) {
            throw new MalformedHead("more than one Host header.");
        }
        if (lastHost == null || !Arrays.equals(b, from, to, lastHostBytes, 0, lastHostBytes.length)) {
            lastHostBytes = Arrays.copyOfRange(b, from, to);
            lastHost = new String(lastHostBytes, StandardCharsets.ISO_8859_1);
            lastRouteKey = null;
        }
        host = lastHost;
    }

    /** The Host header's value as it came. */
    byte[] hostBytes() {
        return lastHostBytes;
    }

    /** The target from {@code from} to {@code to}: origin form (or '*'), or absolute form whose authority replaces Host. */
    void target(byte[] b, int from, int to) {
        if (b[from] == '/' || to - from == 1 && b[from] == '*') {
            return;
        }
        String target = new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        if (!target.regionMatches(true, 0, "http://", 0, 7) && !target.regionMatches(true, 0, "https://", 0, 8)) {
            throw new MalformedHead("the request target must be a path (or an absolute http URI).");
        }
        try {
            URI uri = new URI(target);
            if (uri.getRawAuthority() == null || uri.getRawUserInfo() != null) {
                throw new MalformedHead("an absolute request target needs a host and no user information.");
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            originTarget = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
            authority = uri.getRawAuthority();
        } catch (URISyntaxException e) {
            throw new MalformedHead("the request target is not a valid URI (" + e.getReason() + ").");
        }
    }

    /** What the router routes by: the host in lower case, without port or trailing dot (null: no host named). */
    String routeKey() {
        if (authority == null && host != null && lastRouteKey != null) {
            return lastRouteKey;
        }
        if (authority == null && host == null) {
            return null;
        }
        try {
            String key = RoutingSnapshot.normalizeHost(authority != null ? authority : host);
            if (authority == null) {
                lastRouteKey = key;
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new MalformedHead("the Host header is not a host name with an optional port (" + e.getMessage() + ").");
        }
    }
}
