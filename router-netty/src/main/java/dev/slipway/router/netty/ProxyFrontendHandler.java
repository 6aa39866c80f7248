package dev.slipway.router.netty;

import dev.slipway.router.netty.http1.RequestFramer;
import dev.slipway.router.netty.http1.RequestHead;
import dev.slipway.router.netty.http1.ResponseFramer;
import dev.slipway.router.netty.http1.ResponseHead;
import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.routing.RoutingView.Acquisition;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.router.netty.Exchange.Phase;
import dev.slipway.router.netty.Exchange.Response;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the proxy, one per client connection, handling one request at a time through the phases of an
 * {@link Exchange}. Both connections read on their own and stop while the other side takes no more (channel
 * writability): backpressure both ways, no buffering of whole bodies, and no system call per request to re-arm reads.
 * What a read batch brought goes out in one flush. All work happens on the client connection's event loop, where its
 * upstream connection lives too; decisions of the admission queue are handed back to it. On an HTTP/1.1 connection it
 * is the pipeline's last handler; an HTTP/2 stream, which has no pipeline of its own, drives it by the same steps
 * ({@link #start}, {@link #read}, {@link #readComplete}, {@link #writabilityChanged}, {@link #closed}) from its
 * connection's {@link Http2Frontend}. Either way it sees its client as a {@link ClientSide}.
 */
final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {
    private final RoutingView table;
    private final UpstreamPool pool;
    private final Duration requestTimeout;
    /** How long the rest of a body is read and dropped after the router answered itself, before the connection closes. */
    private final Duration linger;
    private OwnAnswers answers;
    /** On a service's direct port: the host of that service, which every request goes to. */
    private final String fixedHost;
    private final Exchange ex = new Exchange();
    /** The client: its connection (HTTP/1.1), or its stream (HTTP/2). */
    private ClientSide client;
    private final ChannelFutureListener onResponseWritten = this::responseWritten;
    /** Response bytes were written to the client without a flush. */
    private boolean clientUnflushed;
    private IdleDeadlines deadlines;
    /** The exchange's deadline: waiting in the queue, then App Runner's request timeout. */
    private Deadline timer;
    private final Runnable onQueueTimeout = this::queueTimedOut;
    private final Runnable onRequestTimeout = this::requestTimedOut;

    /** On a plain HTTP connection: the router's HTTPS port, where opted-in services' requests are redirected; else -1. */
    private final int httpsPort;

    private final RequestTracing tracing;
    private final String clientAddress;
    private final Tunnels tunnels;
    private final RouterTimeouts timeouts;
    /** The protocol the current request asks to switch to, or null. */
    private String upgradeTo;
    /** The switched connection this exchange became (a WebSocket), or null. */
    private Tunnel tunnel;

    /** What the listener this connection came to serves. */
    private final NettyRouter.Listener listener;

    ProxyFrontendHandler(RoutingView table, UpstreamPool pool, RouterTimeouts timeouts, String fixedHost, int httpsPort,
                         RequestTracing tracing, String client, Tunnels tunnels, NettyRouter.Listener listener) {
        this.listener = listener;
        this.tunnels = tunnels;
        this.tracing = tracing;
        this.clientAddress = client;
        this.httpsPort = httpsPort;
        this.table = table;
        this.pool = pool;
        this.requestTimeout = timeouts.request();
        this.timeouts = timeouts;
        this.linger = timeouts.linger();
        this.fixedHost = fixedHost;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(new ConnectionClient(ctx, ctx.pipeline().context(RequestFramer.class)));
    }

    /** The client is there: its requests follow ({@link #read}). How a stream of an HTTP/2 connection starts. */
    void start(ClientSide client) {
        this.client = client;
        this.deadlines = client.deadlines();
        this.timer = new Deadline(client.eventLoop());
        this.answers = new OwnAnswers(ex, client, timer, linger, this::nextExchange);
        ex.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        read(msg);
    }

    /** A part of a request ({@link RequestFramer}'s output). */
    void read(Object msg) {
        if (ex.phase == Phase.TUNNEL) { // a switched protocol's bytes, as they came
            tunnel.fromClient(msg);
            return;
        }
        if (ex.phase == Phase.IDLE) {
            if (msg instanceof RequestHead request) {
                onRequest(request);
            } else if (msg instanceof RequestFramer.Refused refused) {
                ex.reset(false, false, true, false);
                answers.answer(refused.status(), refused.message(), false);
            } else {
                ReferenceCountUtil.release(msg);
            }
            return;
        }
        if (msg instanceof RequestFramer.Refused refused && !ex.requestRead && ex.phase != Phase.CLOSED) {
            bodyRefused(refused);
            return;
        }
        if (msg instanceof RequestHead || msg instanceof RequestFramer.Refused || ex.requestRead || ex.phase == Phase.CLOSED) {
            ex.pending.add(msg);
            return;
        }
        ex.requestRead = msg == RequestFramer.END;
        switch (ex.phase) {
            case QUEUED, CONNECTING -> ex.toForward.add(msg);
            case PROXYING -> ex.forward(msg);
            default -> { // ANSWERED: the rest of the body is dropped
                ReferenceCountUtil.release(msg);
                if (ex.requestRead && ex.answerWritten) {
                    nextExchange();
                }
            }
        }
    }

    private void onRequest(RequestHead request) {
        ex.reset(request.keepAlive, request.headRequest, request.complete, request.http10);
        ex.upgrade = request.upgrade != null;
        upgradeTo = request.upgrade;
        if (deadlines != null) {
            deadlines.requestArrived();
        }
        String host = fixedHost != null ? fixedHost : request.host;
        if (host == null) {
            request.release();
            answers.answer(HttpResponseStatus.NOT_FOUND, "No Host header: Slipway routes requests by the Host header to a service's domain.", false);
            return;
        }
        if (fixedHost == null && !reachable(host)) {
            request.release();
            answers.refuse(table, new Acquisition.NoRoute(java.util.Optional.empty()), host);
            return;
        }
        if (listener.privateName() != null) {
            host = table.snapshot().privateKey(listener.privateName(), host); // the connection's service, by the key of its route
        }
        String expect = request.expect;
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim())) {
            request.release();
            answers.answer(HttpResponseStatus.EXPECTATION_FAILED, "Expectation failed: the router knows only 'Expect: 100-continue' (got '"
                    + expect + "').", false);
            return;
        }
        FullHttpResponse own = WellKnownAnswers.answer(table.snapshot(), request, host, httpsPort, fixedHost == null, ex.keepAlive);
        if (own != null) {
            request.release();
            answers.answer(own);
            return;
        }
        Acquisition acquired = table.acquire(host);
        if (!(acquired instanceof Acquisition.Leased) && !(acquired instanceof Acquisition.Queued)) {
            ReferenceCountUtil.release(request);
            answers.refuse(table, acquired, host);
            return;
        }
        if (expect != null && !ex.requestRead) { // the request will be served: the client may send its body
            client.answer(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        if (request.complete && request.idempotent) {
            ex.retry = request.retainedDuplicate();
        }
        ex.toForward.add(request);
        if (acquired instanceof Acquisition.Leased leased) {
            connect(leased.lease());
        } else {
            Acquisition.Queued queued = (Acquisition.Queued) acquired;
            ex.phase = Phase.QUEUED;
            ex.waiter = queued.waiter();
            int id = ex.id;
            timer.arm(queued.waiter().maxWait().toMillis(), onQueueTimeout);
            queued.waiter().whenDecided(decided -> client.eventLoop().execute(() -> onDecided(id, decided)));
        }
    }

    /**
     * The request's body turned out malformed (a bad chunk) after its head was taken: the instance's connection, which
     * got part of it, is closed, and the client is answered 400 (or, once the response has begun, its connection closed).
     */
    private void bodyRefused(RequestFramer.Refused refused) {
        ex.requestRead = true;
        ex.keepAlive = false;
        ex.dropParts();
        if (ex.phase == Phase.QUEUED) {
            ex.waiter.giveUp(); // if it was decided meanwhile, onDecided releases the lease
        }
        if (ex.phase == Phase.ANSWERED) {
            if (ex.answerWritten) {
                client.close();
            }
            return;
        }
        answers.fail(pool, refused.status(), refused.message());
    }

    /**
     * Whether this listener serves {@code host}: a private one only its VPC ingress connections' domain names, the IPv6
     * one only DUAL_STACK services' names, the public ones every name but those of private services.
     */
    private boolean reachable(String host) {
        try {
            if (listener.privateName() != null) {
                return table.snapshot().privateKey(listener.privateName(), host) != null;
            }
            return !table.snapshot().privateOnly(host) && (!listener.ipv6() || table.snapshot().dualStack(host));
        } catch (IllegalArgumentException notAHost) {
            return listener == NettyRouter.Listener.PUBLIC; // the table answers it as it answers any name it does not know
        }
    }

    /** The admission queue decided, on whichever thread freed capacity; now on this connection's event loop. */
    private void onDecided(int id, Acquisition decided) {
        if (ex.id != id || ex.phase != Phase.QUEUED) { // the client went away meanwhile
            if (decided instanceof Acquisition.Leased leased) {
                leased.lease().release();
            }
            return;
        }
        timer.disarm();
        if (decided instanceof Acquisition.Leased leased) {
            connect(leased.lease());
        } else {
            ex.dropParts();
            answers.refuse(table, decided, "");
        }
    }

    private void queueTimedOut() {
        if (ex.phase == Phase.QUEUED && ex.waiter.giveUp()) { // else: decided, and onDecided is on its way
            ex.dropParts();
            answers.answer(HttpResponseStatus.SERVICE_UNAVAILABLE, "The service's instances were all busy for "
                    + ex.waiter.maxWait().toSeconds() + " s (each serves up to its MaxConcurrency requests). Retry shortly.", true);
        }
    }

    private void connect(RoutingView.Lease lease) {
        ex.phase = Phase.CONNECTING;
        ex.lease = lease;
        if (table.snapshot().traced().contains(lease.host())) {
            trace(lease);
        }
        int id = ex.id;
        timer.arm(requestTimeout.toMillis(), onRequestTimeout);
        Future<Channel> connect = pool.acquire(client.eventLoop(), lease.endpoint());
        if (connect.isDone()) {
            onConnected(id, connect);
        } else {
            connect.addListener((Future<Channel> f) -> onConnected(id, f));
        }
    }

    /** Starts the request's span, and gives the instance its context instead of the one the request came with. */
    private void trace(RoutingView.Lease lease) {
        RequestHead head = (RequestHead) ex.toForward.poll();
        ex.span = tracing.start(head, lease, clientAddress);
        ex.leasedAt = System.nanoTime();
        RequestHead traced = head.withTraceContext(client.alloc(), RequestTracing.headers(ex.span));
        ex.requestBytes = traced.content().readableBytes();
        ex.toForward.addFirst(traced);
        if (ex.retry != null) {
            ex.retry.release();
            ex.retry = traced.retainedDuplicate();
        }
    }

    private void onConnected(int id, Future<Channel> f) {
        if (ex.id != id || ex.phase != Phase.CONNECTING) { // the client went away, or the request timed out
            if (f.isSuccess()) {
                f.getNow().close();
            }
            return;
        }
        if (!f.isSuccess()) {
            answers.fail(pool, HttpResponseStatus.BAD_GATEWAY, "Bad gateway: the service's instance did not accept the connection ("
                    + f.cause().getMessage() + ").");
            return;
        }
        ex.phase = Phase.PROXYING;
        ex.upstream = f.getNow();
        ex.backend = ex.upstream.pipeline().get(ProxyBackendHandler.class);
        ex.backend.owner(this);
        ex.reusedUpstream = ex.backend.served > 0;
        ex.backend.framer().expect(ex.headRequest, ex.keepAlive, ex.http10);
        if (ex.upgrade) {
            ex.backend.framer().expectUpgrade();
        }
        while (!ex.toForward.isEmpty()) {
            ex.forward(ex.toForward.poll());
        }
        ex.flushUpstream();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readComplete();
    }

    /** What the client sent in one read goes upstream in one flush. */
    void readComplete() {
        ex.flushUpstream();
    }

    /** The upstream connection's writability changed: read more of the request if it may. */
    void upstreamWritable() {
        ex.updateClientReading();
    }

    /**
     * Backpressure, response side: the instance's read batch ended, so what was written to the client goes out in one
     * flush, and the next part of the response is read only while the client takes more.
     */
    void upstreamBatchDone() {
        if (clientUnflushed) {
            clientUnflushed = false;
            client.flush();
        }
        ex.updateUpstreamReading();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    /** The client takes more, or no more, of the response. */
    void writabilityChanged() {
        ex.updateUpstreamReading();
    }

    /** A part of the response ({@link ResponseFramer}): bytes for the client as they are. */
    void onUpstreamMessage(Object msg) {
        if (ex.phase == Phase.TUNNEL && msg instanceof io.netty.buffer.ByteBuf bytes && tunnel.fromInstance(bytes)) {
            return;
        }
        Object last;
        if (ex.span != null) {
            ex.responseBytes += msg instanceof ResponseHead h ? h.content().readableBytes()
                    : msg instanceof io.netty.buffer.ByteBuf b ? b.readableBytes() : 0;
        }
        if (msg instanceof ResponseHead head && head.status == 101) {
            switched(head);
            return;
        }
        if (msg instanceof ResponseHead head) {
            ex.response = Response.STARTED;
            ex.dropRetry();
            ex.status = head.status;
            ex.upstreamReusable &= head.upstreamReusable;
            ex.keepAlive &= !head.closesClient;
            if (!head.complete) {
                client.write(head.content());
                clientUnflushed = true;
                return;
            }
            last = head.content();
        } else if (msg != ResponseFramer.END) {
            client.write(msg);
            clientUnflushed = true;
            return;
        } else {
            last = Unpooled.EMPTY_BUFFER;
        }
        ex.response = Response.COMPLETE;
        client.write(last);
        client.flush();
        clientUnflushed = false;
        if (client.allWritten()) { // no promise needed
            responseWritten();
        } else { // the client reads slowly (or the connection failed): the exchange ends once the rest is out
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(onResponseWritten);
        }
    }

    /**
     * The instance switched protocols: its 101 goes to the client, and from now on the bytes of both connections are
     * relayed as they are (with the same backpressure) until either closes. The request timeout bounded the handshake
     * only; the lease stays held, so the connection counts as a request in flight for admission and autoscaling.
     */
    private void switched(ResponseHead head) {
        ex.response = Response.STARTED;
        ex.dropRetry();
        ex.lease.switched(); // counted now, its latency the handshake's: the connection's life is not a response time
        ex.phase = Phase.TUNNEL;
        timer.disarm(); // the request timeout bounded the handshake; the tunnel's own limits follow
        ConnectionClient connection = (ConnectionClient) client; // HTTP/2 requests ask for no upgrade (Http2StreamBridge)
        tunnel = new Tunnel(connection.ctx, connection.raw, ex, pool, timer, tunnels, upgradeTo, timeouts);
        client.write(head.content());
        client.flush();
        clientUnflushed = false;
        ex.requestRead = false;
        connection.ctx.pipeline().get(RequestFramer.class).upgraded(connection.raw);
        ex.updateClientReading();
    }

    private void responseWritten(ChannelFuture f) {
        if (f.isSuccess()) {
            responseWritten();
        } else {
            ex.finish(pool, false);
            client.close();
        }
    }

    /** The whole response reached the client's connection: the exchange ends. */
    private void responseWritten() {
        if (!ex.requestRead) {
            ex.keepAlive = false; // answered before the whole request arrived: do not read the rest
        }
        ex.finish(pool, ex.requestSent() && ex.upstreamReusable);
        nextExchange();
    }

    /** Ends the exchange and starts on the next request, if the connection is kept alive. */
    private void nextExchange() {
        ex.phase = Phase.IDLE;
        timer.disarm();
        if (!ex.keepAlive) {
            ex.dropPending();
            client.close();
            return;
        }
        RequestFramer framer = client instanceof ConnectionClient c ? c.ctx.pipeline().get(RequestFramer.class) : null;
        if (framer != null && framer.upgrading()) { // an upgrade answered otherwise: what followed it is read as requests
            framer.notUpgraded(((ConnectionClient) client).raw);
            if (ex.phase != Phase.IDLE) { // the next request began on the way
                return;
            }
        }
        if (ex.pending.isEmpty()) {
            if (deadlines != null) {
                deadlines.waiting();
            }
            ex.updateClientReading();
            return;
        }
        List<Object> queued = new ArrayList<>(ex.pending);
        ex.pending.clear();
        for (Object m : queued) {
            read(m);
        }
        ex.flushUpstream();
    }

    /** The upstream connection closed or failed before the exchange ended. */
    void onUpstreamClosed(Throwable cause) {
        if (ex.phase == Phase.TUNNEL) { // the instance ended the switched connection: so does the client's, once written
            tunnel.close();
            return;
        }
        if (ex.lease == null || ex.response == Response.COMPLETE) {
            return;
        }
        if (ex.response == Response.NONE && ex.retry != null && ex.reusedUpstream && ex.phase == Phase.PROXYING) {
            retry(ex.upstream);
            return;
        }
        answers.fail(pool, HttpResponseStatus.BAD_GATEWAY, cause instanceof DecoderException
                ? "Bad gateway: the service's instance sent a response the router does not pass on (" + cause.getMessage() + ")."
                : "Bad gateway: the service's instance closed the connection before it answered"
                + (cause != null ? " (" + cause.getMessage() + ")" : "") + ".");
    }

    /**
     * A pooled connection closed before any of the response came, as an instance does with a connection it has kept
     * idle long enough, just as the request went out on it: a whole idempotent request is sent again, once, on a new
     * connection to the same instance (as Go's HTTP client and nginx's proxy_next_upstream do).
     */
    private void retry(Channel stale) {
        ex.backend.owner(null);
        ex.backend = null;
        ex.upstream = null;
        stale.close();
        ex.toForward.add(ex.retry);
        ex.retry = null;
        ex.phase = Phase.CONNECTING;
        int id = ex.id;
        pool.connect(client.eventLoop(), ex.lease.endpoint()).addListener((Future<Channel> f) -> onConnected(id, f));
    }

    /** App Runner's request timeout: 504 if the instance has not begun to answer, else the connection is cut. */
    private void requestTimedOut() {
        if (ex.phase != Phase.CONNECTING && ex.phase != Phase.PROXYING) {
            return;
        }
        answers.fail(pool, HttpResponseStatus.GATEWAY_TIMEOUT, "Gateway timeout: the service did not answer within "
                + requestTimeout.toSeconds() + " s (the request timeout).");
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed();
    }

    /** The client's connection (or stream) closed: whatever the exchange holds is given back. */
    void closed() {
        if (tunnel != null) {
            tunnels.remove(tunnel);
        }
        Phase was = ex.phase;
        ex.phase = Phase.CLOSED;
        timer.close();
        if (was == Phase.QUEUED) {
            ex.waiter.withdraw(); // the client left: not shed; if it was decided meanwhile, onDecided releases the lease
        }
        if (ex.lease != null) {
            ex.finish(pool, false);
        }
        ex.dropParts();
        ex.dropPending();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
