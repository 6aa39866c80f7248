package dev.slipway.router.netty;

import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingView;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The answers the router gives itself: refusals of requests that get no instance, and its plain-text errors. */
final class RouterAnswers {
    private RouterAnswers() {
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
        // a known service that is not serving this moment (starting, between instances) is worth retrying; a paused one is not
        return routerAnswer(route.isPresent() ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.NOT_FOUND,
                route.map(Route::message).orElse("No service is served at " + host
                        + ". Check the service's ServiceUrl (DescribeService)."), keepAlive,
                route.isPresent() && route.get().state() != Route.State.PAUSED);
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
