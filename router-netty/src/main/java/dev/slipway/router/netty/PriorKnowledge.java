package dev.slipway.router.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * On a cleartext listener, tells HTTP/2 with prior knowledge (h2c: the connection begins with the client preface
 * {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, RFC 9113 §3.3) from HTTP/1.1 by the first bytes, sets up the connection
 * for the one it is, and goes. An HTTP/1.1 request is told apart at its first byte that differs from the preface
 * (mostly the first), so it waits for nothing.
 */
final class PriorKnowledge extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final BiConsumer<ChannelHandlerContext, Boolean> configure;
    private final long idleMillis;
    private ScheduledFuture<?> idle;

    /**
     * {@code configure} adds the handlers of HTTP/2 ({@code true}) or HTTP/1.1 behind this one; a connection that sends
     * nothing for {@code idleMillis} is closed, as an idle one is.
     */
    PriorKnowledge(BiConsumer<ChannelHandlerContext, Boolean> configure, long idleMillis) {
        this.configure = configure;
        this.idleMillis = idleMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // the protocol's handlers are told once they are there
        idle = ctx.executor().schedule(() -> ctx.close(), idleMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.cancel(false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean matches = in.slice(in.readerIndex(), n).equals(PREFACE.slice(0, n));
        if (matches && n < PREFACE.readableBytes()) {
            return; // so far, the preface: wait for the rest
        }
        configure.accept(ctx, matches);
        ctx.fireChannelActive();
        ctx.pipeline().remove(this); // what was read goes to the protocol's handlers
    }
}
