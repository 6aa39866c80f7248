package dev.slipway.router.netty;

import dev.slipway.core.routing.RoutingSnapshot;
import dev.slipway.router.netty.http1.RequestHead;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Requests the router answers itself before routing, from what the routing snapshot says: an ACME HTTP-01 challenge
 * Slipway is answering (on any host, with the key authorization, exactly), and, on plain HTTP, a request to a service
 * that opted in to HTTPS only (308 to the same URL over HTTPS). Costs nothing while the snapshot has neither.
 */
final class WellKnownAnswers {
    private static final String CHALLENGES = "/.well-known/acme-challenge/";

    private WellKnownAnswers() {
    }

    /**
     * The router's own answer to {@code request}, or null to route it.
     *
     * @param httpsPort the router's HTTPS port on a plain HTTP connection (where redirects apply), else -1
     * @param byHost    the connection routes by Host (not a service's direct port)
     */
    static FullHttpResponse answer(RoutingSnapshot snapshot, RequestHead request, String host, int httpsPort, boolean byHost,
                                   boolean keepAlive) {
        if (!snapshot.challenges().isEmpty()) {
            String target = request.target();
            String keyAuthorization = target.startsWith(CHALLENGES) ? snapshot.challenges().get(target.substring(CHALLENGES.length())) : null;
            if (keyAuthorization != null) {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer(keyAuthorization, StandardCharsets.US_ASCII));
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                HttpUtil.setContentLength(response, response.content().readableBytes());
                HttpUtil.setKeepAlive(response, keepAlive);
                return response;
            }
        }
        if (httpsPort > 0 && byHost && !snapshot.httpsRedirects().isEmpty()) {
            String normalized;
            try {
                normalized = RoutingSnapshot.normalizeHost(host);
            } catch (IllegalArgumentException e) {
                return null;
            }
            String key = snapshot.key(normalized);
            if (key != null && snapshot.httpsRedirects().contains(key)) {
                String location = "https://" + normalized + (httpsPort == 443 ? "" : ":" + httpsPort) + request.target();
                FullHttpResponse response = RouterAnswers.routerAnswer(HttpResponseStatus.PERMANENT_REDIRECT,
                        "This service is served over HTTPS: " + location, keepAlive, false);
                response.headers().set(HttpHeaderNames.LOCATION, location);
                response.headers().remove("X-Slipway-Error");
                return response;
            }
        }
        return null;
    }
}
