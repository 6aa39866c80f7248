package dev.slipway.router.netty;

import dev.slipway.router.netty.http1.ResponseFramer;
import dev.slipway.router.netty.http1.ResponseReader;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The upstream side of a proxied request: hands each part of a response ({@link ResponseFramer}) to the frontend that owns the connection now.
 * Idle pooled connections have no owner and drop what they read (nothing, unless the instance misbehaves).
 */
final class ProxyBackendHandler extends ChannelInboundHandlerAdapter {
    private final ResponseReader framer;
    private ProxyFrontendHandler owner;
    /** Exchanges this connection completed: a connection that served one before came from the pool. */
    int served;

    ProxyBackendHandler(ResponseReader framer) {
        this.framer = framer;
    }

    /** Frames this connection's responses. */
    ResponseReader framer() {
        return framer;
    }

    void owner(ProxyFrontendHandler owner) {
        this.owner = owner;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (owner == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        owner.onUpstreamMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.upstreamBatchDone();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.upstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (owner != null) {
            owner.onUpstreamClosed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (owner != null) {
            owner.onUpstreamClosed(cause);
        }
        ctx.close();
    }
}
