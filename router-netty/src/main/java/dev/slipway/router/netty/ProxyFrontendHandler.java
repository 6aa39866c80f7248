package dev.slipway.router.netty;

import dev.slipway.core.routing.Route;
import dev.slipway.core.routing.RoutingView;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the proxy, one per client connection, handling one request at a time. Reads are explicit
 * ({@code autoRead} off): the next request part is read only once the previous one was written upstream, and the
 * next response part only once the previous one was written to the client — backpressure both ways, no buffering
 * of whole bodies. All work happens on the client connection's event loop, where its upstream connection lives too.
 */
final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {
    private final RoutingView table;
    private final UpstreamPool pool;
    private final Duration requestTimeout;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> requestTimer;

    // the exchange in progress, if any
    private boolean exchangeActive;
    private RoutingView.Lease lease;
    private Channel upstream;
    private boolean connecting;
    private boolean clientKeepAlive;
    private boolean lastReceived;
    private boolean discarding;
    private boolean rejected;
    private boolean requestDone;
    private boolean responseStarted;
    private boolean interimResponse;
    private boolean responseComplete;
    private boolean upstreamReusable = true;
    private int status; // answered for the exchange (0 until known), for the service's metrics
    /** Parts of the current request that arrived while its upstream connection was being opened. */
    private final ArrayDeque<Object> bodyQueue = new ArrayDeque<>();
    /** Messages of later (pipelined) requests, handled once the current exchange ends. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();

    ProxyFrontendHandler(RoutingView table, UpstreamPool pool, Duration requestTimeout) {
        this.table = table;
        this.pool = pool;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!exchangeActive) {
            if (msg instanceof HttpRequest request) {
                onRequest(request, msg);
            } else {
                ReferenceCountUtil.release(msg);
                ctx.read();
            }
            return;
        }
        if (msg instanceof HttpContent && !(msg instanceof HttpRequest) && !lastReceived) {
            lastReceived = msg instanceof LastHttpContent;
            if (discarding) {
                ReferenceCountUtil.release(msg);
                if (!lastReceived) {
                    ctx.read();
                } else if (rejected) {
                    nextExchange();
                }
            } else if (connecting) {
                bodyQueue.add(msg);
            } else if (upstream != null) {
                forward(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        pending.add(msg);
    }

    private void onRequest(HttpRequest request, Object msg) {
        exchangeActive = true;
        status = 0;
        deadlines().requestArrived();
        requestTimer = ctx.executor().schedule(this::requestTimedOut, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        clientKeepAlive = HttpUtil.isKeepAlive(request);
        lastReceived = msg instanceof LastHttpContent;
        discarding = false;
        rejected = false;
        requestDone = false;
        responseStarted = false;
        interimResponse = false;
        responseComplete = false;
        upstreamReusable = true;
        if (request.decoderResult().isFailure()) {
            clientKeepAlive = false;
            rejectRequest(msg, HttpResponseStatus.BAD_REQUEST, "Bad request: " + request.decoderResult().cause().getMessage());
            return;
        }
        String host;
        try {
            host = ForwardingRules.prepare(request);
        } catch (ForwardingRules.Refused e) {
            clientKeepAlive = false;
            rejectRequest(msg, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        if (host == null) {
            rejectRequest(msg, HttpResponseStatus.NOT_FOUND,
                    "No Host header: Slipway routes requests by the Host header to a service's domain.");
            return;
        }
        RoutingView.Acquisition acquired = table.acquire(host);
        if (acquired instanceof RoutingView.Acquisition.NoRoute none) {
            none.route().ifPresent(r -> table.rejected(r, 503));
            rejectRequest(msg, none.route().isPresent() ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.NOT_FOUND,
                    none.route().map(Route::message).orElse("No service is served at " + host
                            + ". Check the service's ServiceUrl (DescribeService)."));
            return;
        }
        if (acquired instanceof RoutingView.Acquisition.Saturated saturated) {
            table.rejected(saturated.route(), 503);
            rejectRequest(msg, HttpResponseStatus.SERVICE_UNAVAILABLE, "Service " + saturated.route().serviceName()
                    + " is changing its instances under heavy load. Try again shortly.");
            return;
        }
        lease = ((RoutingView.Acquisition.Leased) acquired).lease();
        ForwardingRules.toUpstream(request, ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress());
        connecting = true;
        ChannelFuture connect = pool.acquire(ctx.channel().eventLoop(), lease.endpoint());
        connect.addListener((ChannelFutureListener) f -> {
            connecting = false;
            if (!f.isSuccess() || lease == null) {
                ReferenceCountUtil.release(msg);
                bodyQueue.forEach(ReferenceCountUtil::release);
                bodyQueue.clear();
                if (f.isSuccess()) {
                    f.channel().close();
                }
                if (lease == null) {
                    return; // the client went away meanwhile
                }
                status = 502;
                finishExchange(false);
                clientKeepAlive = false;
                respond(HttpResponseStatus.BAD_GATEWAY, "Bad gateway: the service's instance did not accept the "
                        + "connection (" + f.cause().getMessage() + ").");
                return;
            }
            upstream = f.channel();
            upstream.pipeline().get(ProxyBackendHandler.class).owner(this);
            forward(msg);
            while (!bodyQueue.isEmpty()) {
                forward(bodyQueue.poll());
            }
        });
    }

    /** Writes a request part upstream; once written, reads the next part unless the request is complete. */
    private void forward(Object msg) {
        boolean last = msg instanceof LastHttpContent;
        boolean head = msg instanceof HttpRequest;
        Channel up = upstream;
        up.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                if (upstream == up) {
                    onUpstreamClosed(f.cause());
                }
                return;
            }
            if (head || last) {
                up.read(); // an instance may answer before the whole body arrived (e.g. 413)
            }
            if (last) {
                requestDone = true;
            } else if (!lastReceived) {
                ctx.read();
            }
        });
    }

    /** A response part from upstream. */
    void onUpstreamMessage(Object msg) {
        if (msg instanceof HttpResponse response) {
            int code = response.status().code();
            interimResponse = code >= 100 && code < 200;
            if (interimResponse) {
                ReferenceCountUtil.release(msg);
                upstream.read();
                return;
            }
            responseStarted = true;
            status = code;
            if (!ForwardingRules.toClient(response, clientKeepAlive)) {
                upstreamReusable = false;
            }
        }
        if (interimResponse) {
            boolean last = msg instanceof LastHttpContent;
            ReferenceCountUtil.release(msg);
            if (last) {
                interimResponse = false;
            }
            upstream.read();
            return;
        }
        boolean last = msg instanceof LastHttpContent;
        responseComplete |= last;
        Channel up = upstream;
        ctx.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                if (up != null) {
                    up.close();
                }
                finishExchange(false);
                ctx.close();
                return;
            }
            if (!last) {
                if (up != null) {
                    up.read();
                }
                return;
            }
            if (!lastReceived) {
                clientKeepAlive = false; // answered before the whole request arrived: do not read the rest
            }
            finishExchange(requestDone && upstreamReusable);
            nextExchange();
        });
    }

    /** Ends the exchange and starts on the next request, if the connection is kept alive. */
    private void nextExchange() {
        exchangeActive = false;
        discarding = false;
        cancelRequestTimer();
        if (!clientKeepAlive) {
            pending.forEach(ReferenceCountUtil::release);
            pending.clear();
            ctx.close();
            return;
        }
        if (pending.isEmpty()) {
            deadlines().waiting();
            ctx.read();
            return;
        }
        List<Object> queued = new ArrayList<>(pending);
        pending.clear();
        for (Object m : queued) {
            channelRead(ctx, m);
        }
    }

    /** The upstream connection closed or failed before the exchange ended. */
    void onUpstreamClosed(Throwable cause) {
        if (lease == null || responseComplete) {
            return;
        }
        boolean started = responseStarted;
        Channel up = upstream;
        status = started ? status : 502;
        finishExchange(false);
        if (up != null) {
            up.close();
        }
        if (!started) {
            clientKeepAlive = false;
            respond(HttpResponseStatus.BAD_GATEWAY, "Bad gateway: the service's instance closed the connection "
                    + "before it answered" + (cause != null ? " (" + cause.getMessage() + ")" : "") + ".");
        } else {
            ctx.close();
        }
    }

    private void finishExchange(boolean reuseUpstream) {
        Channel up = upstream;
        RoutingView.Lease l = lease;
        upstream = null;
        lease = null;
        if (up != null) {
            ProxyBackendHandler backend = up.pipeline().get(ProxyBackendHandler.class);
            if (backend != null) {
                backend.owner(null);
            }
            if (reuseUpstream && l != null) {
                pool.release(l.endpoint(), up);
            } else {
                up.close();
            }
        }
        upstreamReusable = true;
        if (l != null) {
            if (status != 0) {
                l.answered(status);
            }
            l.release();
        }
    }

    /** Answers a request without proxying it, discarding its body. */
    private void rejectRequest(Object msg, HttpResponseStatus status, String body) {
        ReferenceCountUtil.release(msg);
        discarding = true;
        respond(status, body);
    }

    private void respond(HttpResponseStatus status, String body) {
        FullHttpResponse response = ForwardingRules.routerAnswer(status, body, clientKeepAlive);
        discarding = true;
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) f -> {
            if (!clientKeepAlive || !f.isSuccess()) {
                exchangeActive = false;
                ctx.close();
            } else if (lastReceived) {
                nextExchange();
            } else {
                rejected = true; // the rest of the body is read and dropped, then the next request
                ctx.read();
            }
        });
    }

    /** App Runner's request timeout: 504 if the instance has not begun to answer, else the connection is cut. */
    private void requestTimedOut() {
        if (!exchangeActive) {
            return;
        }
        boolean answered = responseStarted || discarding;
        status = answered ? status : 504;
        finishExchange(false);
        clientKeepAlive = false;
        if (answered) {
            ctx.close();
        } else {
            respond(HttpResponseStatus.GATEWAY_TIMEOUT, "Gateway timeout: the service did not answer within "
                    + requestTimeout.toSeconds() + " s (the request timeout).");
        }
    }

    private void cancelRequestTimer() {
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
    }

    private IdleDeadlines deadlines() {
        return ctx.pipeline().get(IdleDeadlines.class);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelRequestTimer();
        if (lease != null) {
            finishExchange(false);
        }
        bodyQueue.forEach(ReferenceCountUtil::release);
        bodyQueue.clear();
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (lease != null) {
            finishExchange(false);
        }
        ctx.close();
    }
}
