package dev.slipway.router.netty;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.FullHttpResponse;

/**
 * An HTTP/1.1 client connection: response bytes go out as they are (past the response encoder, from {@code raw}), the
 * router's own answers through the encoder, and reading stops and starts with the connection's {@code autoRead}.
 */
final class ConnectionClient implements ClientSide {
    /** The proxy's place in the pipeline: writes from here pass the response encoder. */
    final ChannelHandlerContext ctx;
    /** Writes bytes to the client as they are, past the response encoder. */
    final ChannelHandlerContext raw;
    private final IdleDeadlines deadlines;

    ConnectionClient(ChannelHandlerContext ctx, ChannelHandlerContext raw) {
        this.ctx = ctx;
        this.raw = raw;
        this.deadlines = ctx.pipeline().get(IdleDeadlines.class);
    }

    @Override
    public ChannelHandlerContext context() {
        return ctx;
    }

    @Override
    public void write(Object bytes) {
        raw.write(bytes, raw.voidPromise()); // a failure closes the client connection (exceptionCaught)
    }

    @Override
    public void flush() {
        raw.flush();
    }

    @Override
    public ChannelFuture writeAndFlush(Object bytes) {
        return raw.writeAndFlush(bytes);
    }

    @Override
    public ChannelFuture answer(FullHttpResponse response) {
        return ctx.writeAndFlush(response);
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void reading(boolean on) {
        Exchange.autoRead(ctx.channel(), on);
    }

    @Override
    public boolean allWritten() {
        ChannelOutboundBuffer unsent = ctx.channel().unsafe().outboundBuffer();
        return unsent != null && unsent.isEmpty();
    }

    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public IdleDeadlines deadlines() {
        return deadlines;
    }
}
