package dev.slipway.router.netty;

import dev.slipway.router.netty.http1.RequestFramer;
import dev.slipway.router.netty.http1.RequestHead;
import dev.slipway.core.routing.RoutingView;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The request/response exchange in progress on one client connection: where it is ({@link Phase}), what it holds
 * (lease, upstream connection, parts waiting to be forwarded, timers) and how far each side got. One per connection,
 * reset for each request; {@link #id} tells callbacks of an earlier exchange that theirs is over.
 */
final class Exchange {
    /** Where an exchange is. Request parts are read from the client in every phase but {@link #IDLE}. */
    enum Phase {
        /** No request yet: the next message must be a request head. */
        IDLE,
        /** Every instance serves MaxConcurrency requests: waiting in the service's admission queue. */
        QUEUED,
        /** An instance is leased; its connection is being opened (or taken from the pool). */
        CONNECTING,
        /** Request parts go upstream, response parts come back. */
        PROXYING,
        /** The router answers itself (400, 404, 502, 503, 504); the rest of the request body is dropped. */
        ANSWERED,
        /**
         * The instance switched protocols (101, a WebSocket): bytes go both ways as they are until either side closes;
         * the lease is held meanwhile (one request in flight).
         */
        TUNNEL,
        /** The client connection is closed. */
        CLOSED
    }

    /** How far the response came. */
    enum Response { NONE, STARTED, COMPLETE }

    /** The client: its connection, or its HTTP/2 stream. */
    ClientSide client;
    int id;
    Phase phase = Phase.IDLE;
    Response response = Response.NONE;
    /** Whether the client connection stays open after this exchange. */
    boolean keepAlive;
    /** A HEAD request: its response has no body. */
    boolean headRequest;
    /** The client speaks HTTP/1.0. */
    boolean http10;
    /** The request asks to switch protocols ({@link RequestHead#upgrade}). */
    boolean upgrade;
    /** The last part of the request was read from the client. */
    boolean requestRead;
    /** The last part of the request was handed to the upstream connection. */
    private boolean lastPartWritten;
    /** Request parts were written upstream without a flush. */
    private boolean upstreamUnflushed;
    /** The router's own answer was written. */
    boolean answerWritten;
    boolean upstreamReusable;
    /** The status answered (0 until known), for the service's metrics. */
    int status;
    /** The request, kept until the response begins, when it may be sent again on a new connection ({@link #retry}). */
    RequestHead retry;
    /** The upstream connection came from the pool (it served an exchange before). */
    boolean reusedUpstream;
    RoutingView.Lease lease;
    RoutingView.Waiter waiter;
    Channel upstream;
    ProxyBackendHandler backend;
    /** Request parts read while queued or connecting: the head, then body parts. */
    final ArrayDeque<Object> toForward = new ArrayDeque<>();
    /** The request's span, when its route is traced ({@link RequestTracing}); ended with the exchange. */
    io.opentelemetry.api.trace.Span span;
    long leasedAt;
    /** Bytes of the request and of the response relayed, counted for a traced request only. */
    long requestBytes;
    long responseBytes;
    /** Messages of later (pipelined) requests, handled once this exchange ends. */
    final ArrayDeque<Object> pending = new ArrayDeque<>();

    /** Starts the next exchange. */
    void reset(boolean keepAlive, boolean headRequest, boolean requestRead, boolean http10) {
        id++;
        this.http10 = http10;
        phase = Phase.IDLE;
        response = Response.NONE;
        this.keepAlive = keepAlive;
        this.headRequest = headRequest;
        this.requestRead = requestRead;
        upgrade = false;
        lastPartWritten = false;
        upstreamUnflushed = false;
        answerWritten = false;
        upstreamReusable = true;
        status = 0;
        waiter = null;
        span = null;
        requestBytes = 0;
        responseBytes = 0;
        dropRetry();
    }

    void dropRetry() {
        if (retry != null) {
            retry.release();
            retry = null;
        }
    }

    /**
     * Writes a request part ({@link RequestFramer}) upstream as its bytes; the last one with a flush (a bodiless request
     * goes out in one write), the others are flushed when the read that brought them completes ({@link #flushUpstream}).
     * A failure reaches {@link ProxyBackendHandler} (exceptionCaught); no promise is made per part.
     */
    void forward(Object msg) {
        Channel up = upstream;
        boolean last = msg == RequestFramer.END || msg instanceof RequestHead head && head.complete;
        Object bytes = msg instanceof RequestHead head ? head.content() : msg == RequestFramer.END ? Unpooled.EMPTY_BUFFER : msg;
        if (span != null && bytes instanceof io.netty.buffer.ByteBuf b && !(msg instanceof RequestHead)) {
            requestBytes += b.readableBytes();
        }
        if (last) {
            up.writeAndFlush(bytes, up.voidPromise());
            lastPartWritten = true;
            upstreamUnflushed = false;
        } else {
            up.write(bytes, up.voidPromise());
            upstreamUnflushed = true;
        }
    }

    /** Whether the whole request reached the instance's connection: one that still holds some of it serves no other. */
    boolean requestSent() {
        ChannelOutboundBuffer unsent = upstream == null ? null : upstream.unsafe().outboundBuffer();
        return lastPartWritten && unsent != null && unsent.isEmpty();
    }

    /** What was read from the client goes upstream in one flush; then reading goes on if it may. */
    void flushUpstream() {
        if (upstreamUnflushed && upstream != null && (phase == Phase.PROXYING || phase == Phase.TUNNEL)) {
            upstreamUnflushed = false;
            upstream.flush();
        }
        updateClientReading();
    }

    /**
     * Backpressure, request side. Both connections read on their own ({@code autoRead}: no system call to re-arm a
     * read per request); the client's stops while a pipelined request waits for this exchange to end, while a body
     * waits for its upstream connection, or while the upstream connection takes no more.
     */
    void updateClientReading() {
        boolean wanted = pending.isEmpty() && switch (phase) {
            case QUEUED, CONNECTING -> requestRead;
            case PROXYING -> requestRead || upstream.isWritable();
            case TUNNEL -> upstream.isWritable();
            case CLOSED -> false;
            default -> true;
        };
        client.reading(wanted);
    }

    /** Backpressure, response side: the instance's connection is read only while the client takes more. */
    void updateUpstreamReading() {
        if (upstream != null) {
            autoRead(upstream, client.isWritable());
        }
    }

    static void autoRead(Channel channel, boolean on) {
        if (channel.config().isAutoRead() != on) {
            channel.config().setAutoRead(on);
        }
    }

    /** Returns the upstream connection to the pool (or closes it) and releases the lease with the status answered. */
    void finish(UpstreamPool pool, boolean reuseUpstream) {
        Channel up = upstream;
        RoutingView.Lease l = lease;
        upstream = null;
        lease = null;
        dropRetry();
        if (up != null) {
            backend.served += reuseUpstream ? 1 : 0;
            backend.owner(null);
            backend = null;
            if (reuseUpstream && l != null) {
                pool.release(l.endpoint(), up);
            } else {
                up.close();
            }
        }
        if (l != null) {
            if (status != 0) {
                l.answered(status);
            }
            l.release();
        }
        if (span != null) {
            RequestTracing.end(span, status, requestBytes, responseBytes, System.nanoTime() - leasedAt);
            span = null;
        }
    }

    void dropParts() {
        toForward.forEach(ReferenceCountUtil::release);
        toForward.clear();
        dropRetry();
    }

    void dropPending() {
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
    }
}
