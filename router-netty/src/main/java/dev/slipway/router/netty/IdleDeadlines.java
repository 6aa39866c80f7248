package dev.slipway.router.netty;

import dev.slipway.core.spi.RouterTimeouts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
    private ScheduledFuture<?> timer;
    private boolean waiting;
    private boolean headStarted;

    IdleDeadlines(RouterTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
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
            schedule(timeouts.headerRead().toMillis(), () -> ctx.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT))
                    .addListener(ChannelFutureListener.CLOSE));
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    /** No request is in progress: the idle deadline runs. */
    void waiting() {
        waiting = true;
        headStarted = false;
        schedule(timeouts.idle().toMillis(), ctx::close);
    }

    /** A request's head is complete: its exchange has deadlines of its own. */
    void requestArrived() {
        waiting = false;
        cancel();
    }

    private void schedule(long millis, Runnable action) {
        cancel();
        timer = ctx.executor().schedule(action, millis, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
