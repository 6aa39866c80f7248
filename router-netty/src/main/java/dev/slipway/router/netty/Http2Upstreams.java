package dev.slipway.router.netty;

import dev.slipway.core.routing.Endpoint;
import dev.slipway.router.netty.http1.ResponseFramer;
import dev.slipway.router.netty.http2.Http2UpstreamBridge;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/2 cleartext connections (prior knowledge) to instances that speak it, per event loop and endpoint, each
 * carrying many exchanges at once, one stream each: a new stream goes on the first connection with room for it
 * (fewer streams open than the instance's SETTINGS_MAX_CONCURRENT_STREAMS, no GOAWAY received), else on a new
 * connection. A connection without streams for the pool's idle timeout is closed. Used on its event loop only: no locks.
 */
final class Http2Upstreams {
    /** One connection to an instance, and the streams the router opened on it that are not closed yet. */
    private static final class Connection {
        final ChannelFuture connected;
        Http2FrameCodec codec;
        int streams;
        long idleSince = System.nanoTime();

        Connection(ChannelFuture connected) {
            this.connected = connected;
        }

        boolean hasRoom() {
            Channel c = connected.channel();
            if (!connected.isDone()) {
                return streams < 100; // the instance's limit is not known yet: most servers allow at least 100
            }
            return c.isActive() && !codec.connection().goAwayReceived() && streams < codec.connection().local().maxActiveStreams();
        }
    }

    private final Map<EventLoop, Map<Endpoint, List<Connection>>> connections = new ConcurrentHashMap<>();
    private final Transport transport;

    Http2Upstreams(Transport transport) {
        this.transport = transport;
    }

    /** A new stream to {@code endpoint}, set up as an upstream connection of the proxy. Call on {@code loop}. */
    Future<Channel> open(EventLoop loop, Endpoint endpoint) {
        List<Connection> open = on(loop).computeIfAbsent(endpoint, e -> new ArrayList<>(1));
        Connection connection = open.stream().filter(Connection::hasRoom).findFirst().orElse(null);
        if (connection == null) {
            connection = connect(loop, endpoint, open);
            open.add(connection);
        }
        Connection c = connection;
        c.streams++;
        Promise<Channel> stream = loop.newPromise();
        if (c.connected.isDone()) {
            openStream(c, stream);
        } else {
            c.connected.addListener(f -> openStream(c, stream));
        }
        return stream;
    }

    private void openStream(Connection c, Promise<Channel> stream) {
        if (!c.connected.isSuccess()) {
            closed(c);
            stream.setFailure(c.connected.cause());
            return;
        }
        new Http2StreamChannelBootstrap(c.connected.channel()).handler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel s) {
                ResponseFramer framer = new ResponseFramer();
                s.pipeline().addLast("h2-codec", new Http2StreamFrameToHttpObjectCodec(false));
                s.pipeline().addLast("h2-bridge", new Http2UpstreamBridge());
                s.pipeline().addLast("response-framer", framer);
                s.pipeline().addLast("proxy-backend", new ProxyBackendHandler(framer));
            }
        }).open().addListener((Future<Http2StreamChannel> f) -> {
            if (!f.isSuccess()) {
                closed(c);
                stream.setFailure(f.cause());
                return;
            }
            f.getNow().closeFuture().addListener(x -> closed(c));
            stream.setSuccess(f.getNow());
        });
    }

    /** One of the connection's streams closed. */
    private static void closed(Connection c) {
        if (--c.streams == 0) {
            c.idleSince = System.nanoTime();
        }
    }

    private Connection connect(EventLoop loop, Endpoint endpoint, List<Connection> open) {
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient()
                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxHeaderListSize(65536))
                .validateHeaders(true).build();
        ChannelFuture connect = new Bootstrap().group(loop).channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("h2", codec);
                        ch.pipeline().addLast("h2-streams", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ch.pipeline().addLast("h2-errors", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // its streams fail, and so do their exchanges (502, or a cut response)
                            }
                        });
                    }
                }).connect(endpoint.host(), endpoint.port());
        Connection c = new Connection(connect);
        c.codec = codec;
        connect.channel().closeFuture().addListener(f -> open.remove(c));
        return c;
    }

    private Map<Endpoint, List<Connection>> on(EventLoop loop) {
        Map<Endpoint, List<Connection>> map = connections.get(loop);
        if (map == null) {
            map = connections.computeIfAbsent(loop, l -> {
                l.scheduleAtFixedRate(() -> sweep(l), 15, 15, TimeUnit.SECONDS);
                return new HashMap<>();
            });
        }
        return map;
    }

    /** Closes the connections of {@code loop} that had no stream for longer than the idle timeout. */
    private void sweep(EventLoop loop) {
        long oldest = System.nanoTime() - UpstreamPool.IDLE_TIMEOUT_NANOS;
        for (List<Connection> open : connections.get(loop).values()) {
            for (Connection c : List.copyOf(open)) {
                if (c.streams == 0 && c.idleSince - oldest < 0) {
                    c.connected.channel().close();
                }
            }
        }
        connections.get(loop).values().removeIf(List::isEmpty);
    }
}
