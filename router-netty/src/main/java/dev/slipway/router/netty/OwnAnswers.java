package dev.slipway.router.netty;

import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.routing.RoutingView.Acquisition;
import dev.slipway.router.netty.Exchange.Phase;
import dev.slipway.router.netty.Exchange.Response;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.time.Duration;

/**
 * The answers the router gives itself on one client connection, and how the exchange ends with them: the next
 * exchange once written, or, when the request's body has not all come, a close after at most the linger time (the
 * rest is read and dropped meanwhile, so the answer is not lost to a reset; it is never waited for).
 */
final class OwnAnswers {
    private final Exchange ex;
    private final ClientSide client;
    private final Deadline timer;
    private final Duration linger;
    private final Runnable nextExchange;
    private final Runnable onLingerEnd = this::lingerEnded;

    OwnAnswers(Exchange ex, ClientSide client, Deadline timer, Duration linger, Runnable nextExchange) {
        this.ex = ex;
        this.client = client;
        this.timer = timer;
        this.linger = linger;
        this.nextExchange = nextExchange;
    }

    /** Answers the request with {@code status} and a plain-text {@code body}. */
    void answer(HttpResponseStatus status, String body, boolean retryAfter) {
        answer(RouterAnswers.routerAnswer(status, body, ex.keepAlive, retryAfter));
    }

    /** Answers a request that gets no instance: unknown host (404), not serving (503), shed (503, Retry-After). */
    void refuse(RoutingView table, Acquisition acquired, String host) {
        if (acquired instanceof Acquisition.NoRoute none) {
            none.route().ifPresent(r -> table.rejected(r, 503)); // shed requests (Saturated) are counted by the table
        }
        answer(RouterAnswers.refusal(acquired, host, ex.keepAlive));
    }

    /**
     * Ends the exchange with the router's own error: the instance's connection (if any) is closed, not reused; the
     * client is answered {@code status}, or, once the instance's response has begun, its connection is cut.
     */
    void fail(UpstreamPool pool, HttpResponseStatus status, String message) {
        boolean started = ex.response == Response.STARTED;
        ex.status = started ? ex.status : status.code();
        ex.dropParts();
        ex.finish(pool, false);
        ex.keepAlive = false;
        if (started) {
            client.close();
        } else {
            answer(status, message, false);
        }
    }

    void answer(FullHttpResponse response) {
        ex.phase = Phase.ANSWERED;
        if (!ex.requestRead) {
            ex.keepAlive = false;
            HttpUtil.setKeepAlive(response, false);
        } else if (ex.http10 && ex.keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (ex.headRequest) { // the same head, without the body
            FullHttpResponse bodiless = response.replace(Unpooled.EMPTY_BUFFER);
            response.release();
            response = bodiless;
        }
        int id = ex.id;
        client.answer(response).addListener((ChannelFutureListener) f -> {
            if (ex.id != id || ex.phase != Phase.ANSWERED) {
                return;
            }
            ex.answerWritten = true;
            if (!f.isSuccess()) {
                client.close();
            } else if (ex.requestRead) {
                nextExchange.run();
            } else {
                timer.arm(linger.toMillis(), onLingerEnd);
                ex.updateClientReading(); // the rest of the body is read and dropped
            }
        });
    }

    private void lingerEnded() {
        if (ex.phase == Phase.ANSWERED) {
            client.close();
        }
    }
}
