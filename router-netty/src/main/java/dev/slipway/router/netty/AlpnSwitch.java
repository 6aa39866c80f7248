package dev.slipway.router.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Once a client's TLS handshake is done, sets up the connection for the protocol it chose by ALPN: {@code h2}, or
 * HTTP/1.1 (also when it chose none). The handlers are added behind this one, told the connection is active, and
 * given what was read meanwhile; then this one goes.
 */
final class AlpnSwitch extends ChannelInboundHandlerAdapter {
    private final BiConsumer<ChannelHandlerContext, String> configure;
    private final List<Object> early = new ArrayList<>(1);

    /** {@code configure} adds the handlers of the protocol ({@link ApplicationProtocolNames#HTTP_2} or _1_1) to the pipeline's end. */
    AlpnSwitch(BiConsumer<ChannelHandlerContext, String> configure) {
        this.configure = configure;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // the protocol's handlers are told once they are there
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        early.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (!done.isSuccess()) {
                ctx.close();
                return;
            }
            String protocol = ctx.pipeline().get(SslHandler.class).applicationProtocol();
            configure.accept(ctx, ApplicationProtocolNames.HTTP_2.equals(protocol) ? ApplicationProtocolNames.HTTP_2
                    : ApplicationProtocolNames.HTTP_1_1);
            ctx.fireChannelActive();
            for (Object msg : early) {
                ctx.fireChannelRead(msg);
            }
            early.clear();
            ctx.fireChannelReadComplete();
            ctx.pipeline().remove(this);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a failed handshake, or a client that is not speaking TLS
    }
}
