package dev.slipway.router.netty;

import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.core.routing.RoutingView;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a proxy must check and change before it forwards a request (RFC 9112 §3.2, §6.1, §6.3; RFC 9110 §7.6.1):
 * framing that every reader agrees on, exactly one valid Host (or an absolute-form target, forwarded in origin form),
 * and no hop-by-hop headers.
 */
final class ForwardingRules {
    private static final List<CharSequence> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, HttpHeaderNames.EXPECT);

    private ForwardingRules() {
    }

    /** A request the router refuses with 400 and a closed connection. */
    static final class Refused extends Exception {
        private final HttpResponseStatus status;

        /** A 400: the request cannot be forwarded safely, and the connection is closed after the answer. */
        Refused(String message) {
            this(HttpResponseStatus.BAD_REQUEST, message);
        }

        Refused(HttpResponseStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        HttpResponseStatus status() {
            return status;
        }

        /** Whether the client connection closes after the answer (not for a well-framed request without a Host). */
        boolean closes() {
            return status == HttpResponseStatus.BAD_REQUEST;
        }
    }

    /**
     * Checks the request and puts it in the form it is forwarded in; returns the normalized host to route by.
     *
     * @throws Refused when it could not be decoded, its framing is ambiguous, its target or Host is not valid (400), or
     *                  it has no Host (404)
     */
    static String prepare(HttpRequest request) throws Refused {
        if (request.decoderResult().isFailure()) {
            throw new Refused("Bad request: " + request.decoderResult().cause().getMessage());
        }
        HttpHeaders h = request.headers();
        List<String> codings = h.contains(HttpHeaderNames.TRANSFER_ENCODING) ? h.getAll(HttpHeaderNames.TRANSFER_ENCODING) : List.of();
        if (!codings.isEmpty() && (codings.size() > 1 || !codings.get(0).trim().equalsIgnoreCase("chunked"))) {
            throw new Refused("Bad request: Transfer-Encoding must be exactly 'chunked' (got '" + String.join(", ", codings)
                    + "'); the router accepts no other transfer coding.");
        }
        String authority = originForm(request);
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            throw new Refused("Bad request: more than one Host header.");
        }
        if (authority != null) {
            h.set(HttpHeaderNames.HOST, authority); // RFC 9112 §3.2.2: the target's authority wins over Host
        } else if (hosts.isEmpty()) {
            throw new Refused(HttpResponseStatus.NOT_FOUND, "No Host header: Slipway routes requests by the Host header to a service's domain.");
        }
        String host = h.get(HttpHeaderNames.HOST);
        try {
            return RoutingSnapshot.normalizeHost(host);
        } catch (IllegalArgumentException e) {
            throw new Refused("Bad request: the Host header is not a host name with an optional port (" + e.getMessage() + ").");
        }
    }

    /** Turns an absolute-form target into origin form; returns its authority, or null for an origin-form target. */
    private static String originForm(HttpRequest request) throws Refused {
        String target = request.uri();
        if (!target.regionMatches(true, 0, "http://", 0, 7) && !target.regionMatches(true, 0, "https://", 0, 8)) {
            return null;
        }
        try {
            URI uri = new URI(target);
            if (uri.getRawAuthority() == null || uri.getRawUserInfo() != null) {
                throw new Refused("Bad request: an absolute request target needs a host and no user information.");
            }
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            request.setUri(uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery());
            return uri.getRawAuthority();
        } catch (URISyntaxException e) {
            throw new Refused("Bad request: the request target is not a valid URI (" + e.getReason() + ").");
        }
    }

    /**
     * Removes hop-by-hop headers (Connection and the headers it names, Keep-Alive, TE, Trailer, Upgrade, Proxy-*;
     * Expect, which the router answers itself) and adds X-Forwarded-For/-Proto/-Host.
     */
    static void toUpstream(HttpRequest request, String clientAddress) {
        HttpHeaders h = request.headers();
        if (hasHopByHop(h)) {
            stripHopByHop(h);
        }
        String prior = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, prior == null ? clientAddress : prior + ", " + clientAddress);
        h.set(X_FORWARDED_PROTO, HTTP);
        h.set(X_FORWARDED_HOST, h.get(HttpHeaderNames.HOST));
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final AsciiString HTTP = AsciiString.cached("http");

    /** One pass over the names, without converting them to strings: most requests carry no hop-by-hop header. */
    private static boolean hasHopByHop(HttpHeaders h) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            for (CharSequence hop : HOP_BY_HOP) {
                if (AsciiString.contentEqualsIgnoreCase(name, hop)) {
                    return true;
                }
            }
            if (name.length() > 6 && AsciiString.regionMatches(name, true, 0, "proxy-", 0, 6)) {
                return true;
            }
        }
        return false;
    }

    private static void stripHopByHop(HttpHeaders h) {
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                if (!token.isBlank()) {
                    h.remove(token.trim());
                }
            }
        }
        HOP_BY_HOP.forEach(h::remove);
        List<String> proxyHeaders = new ArrayList<>();
        for (Map.Entry<String, String> e : h) {
            if (e.getKey().regionMatches(true, 0, "proxy-", 0, 6)) {
                proxyHeaders.add(e.getKey());
            }
        }
        proxyHeaders.forEach(h::remove);
    }

    /** Seconds a client is asked to wait before retrying a request the router shed (queue full or waited too long). */
    static final int RETRY_AFTER_SECONDS = 1;

    /** The answer to a request that gets no instance: unknown host (404), not serving (503), shed (503, Retry-After). */
    static FullHttpResponse refusal(RoutingView.Acquisition acquired, String host, boolean keepAlive) {
        if (acquired instanceof RoutingView.Acquisition.Saturated saturated) {
            return routerAnswer(HttpResponseStatus.SERVICE_UNAVAILABLE, "Service " + saturated.route().serviceName()
                    + " is at capacity: every instance serves its MaxConcurrency requests and its queue is full. Retry shortly.",
                    keepAlive, true);
        }
        Optional<Route> route = ((RoutingView.Acquisition.NoRoute) acquired).route();
        return routerAnswer(route.isPresent() ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.NOT_FOUND,
                route.map(Route::message).orElse("No service is served at " + host
                        + ". Check the service's ServiceUrl (DescribeService)."), keepAlive, false);
    }

    /** A response the router gives itself: plain text, marked with {@code X-Slipway-Error}. */
    static FullHttpResponse routerAnswer(HttpResponseStatus status, String body, boolean keepAlive, boolean retryAfter) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8");
        response.headers().set("X-Slipway-Error", status.code());
        HttpUtil.setContentLength(response, response.content().readableBytes());
        HttpUtil.setKeepAlive(response, keepAlive);
        if (retryAfter) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
        }
        return response;
    }
}
