package dev.slipway.router.netty;

import dev.slipway.core.spi.RouterTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;

/**
 * The deadlines of a client connection between requests, in front of the HTTP codec so that it sees raw bytes: a
 * kept-alive connection with no request for {@code idle} is closed, and a request whose line and headers do not all
 * arrive within {@code headerRead} of its first byte (a slow-headers client) is answered 408 and closed. The proxy
 * calls {@link #requestArrived()} when a request's head is complete and {@link #waiting()} when it waits for the next.
 */
final class IdleDeadlines extends ChannelInboundHandlerAdapter {
    private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: 49\r\nConnection: close\r\nX-Slipway-Error: 408\r\n\r\n"
            + "The request's headers did not arrive in time.\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private final RouterTimeouts timeouts;
    private ChannelHandlerContext ctx;
    private Deadline deadline;
    private Runnable closeIdle;
    private Runnable answer408;
    private boolean waiting;
    private boolean headStarted;
    private boolean headDeadline;

    IdleDeadlines(RouterTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.deadline = new Deadline(ctx.executor());
        this.closeIdle = ctx::close;
        this.answer408 = () -> ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        waiting();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waiting && !headStarted && msg instanceof ByteBuf bytes && bytes.isReadable()) {
            headStarted = true;
        }
        ctx.fireChannelRead(msg);
    }

    /** A head still incomplete after the read that brought its first bytes gets its deadline (most arrive whole). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (waiting && headStarted && !headDeadline) {
            headDeadline = true;
            deadline.arm(timeouts.headerRead().toMillis(), answer408);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.close();
        ctx.fireChannelInactive();
    }

    /** No request is in progress: the idle deadline runs. */
    void waiting() {
        waiting = true;
        headStarted = false;
        headDeadline = false;
        deadline.arm(timeouts.idle().toMillis(), closeIdle);
    }

    /** A request's head is complete: its exchange has deadlines of its own. */
    void requestArrived() {
        waiting = false;
        deadline.disarm();
    }
}
