package dev.slipway.router.netty;

import dev.slipway.core.routing.RoutingView;
import dev.slipway.core.spi.RouterProvider;
import dev.slipway.core.spi.RouterTimeouts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.util.ResourceLeakDetector;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The router: an HTTP/1.1 reverse proxy that routes by Host to a service's healthy instances (least outstanding
 * requests), streams bodies both ways with backpressure, and keeps pooled keep-alive connections to instances.
 */
public final class NettyRouter implements RouterProvider.Router {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final int port;

    private NettyRouter(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Binds {@code host:port} (0 for a free port) and serves the routes of {@code table}, with the default timeouts. */
    public static NettyRouter start(RoutingView table, String host, int port) {
        return start(table, host, port, RouterTimeouts.DEFAULT);
    }

    /** Binds {@code host:port} (0 for a free port) and serves the routes of {@code table}. */
    public static NettyRouter start(RoutingView table, String host, int port, RouterTimeouts timeouts) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED); // its sampling costs every buffer; opt in with the property
        }
        Transport transport = Transport.choose();
        int loops = Transport.eventLoops();
        EventLoopGroup boss = transport.group(1, "slipway-router-boss");
        EventLoopGroup workers = transport.group(loops, "slipway-router");
        UpstreamPool pool = new UpstreamPool(transport);
        try {
            Channel ch = new ServerBootstrap().group(boss, workers).channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast("idle-deadlines", new IdleDeadlines(timeouts));
                            c.pipeline().addLast("http-codec", new HttpServerCodec());
                            c.pipeline().addLast("expect-continue", new HttpServerExpectContinueHandler());
                            c.pipeline().addLast("proxy-frontend", new ProxyFrontendHandler(table, pool, timeouts.request()));
                        }
                    }).bind(host, port).syncUninterruptibly().channel();
            transport.log(loops);
            return new NettyRouter(boss, workers, ch);
        } catch (Exception e) { // bind() rethrows java.net.BindException unchecked
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IllegalStateException("The router cannot listen on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another port with --router-port", e);
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public void stopAccepting() {
        serverChannel.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
