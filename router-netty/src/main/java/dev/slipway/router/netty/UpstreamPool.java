package dev.slipway.router.netty;

import dev.slipway.core.routing.Endpoint;
import dev.slipway.router.netty.http1.ResponseFramer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections to instances, per event loop and endpoint, so a request's upstream connection lives on
 * the same event loop as its client connection and the pool needs no locks. At most {@link #MAX_IDLE} are kept per
 * endpoint and loop (the oldest is closed past that), and one idle longer than {@link #IDLE_TIMEOUT_NANOS} is closed
 * (swept every 15 s): nginx's {@code keepalive} and {@code keepalive_timeout} for upstreams. Instances that speak
 * HTTP/2 get a stream per exchange instead, on connections {@link Http2Upstreams} keeps.
 */
final class UpstreamPool {
    static final int MAX_IDLE = 64;
    static final long IDLE_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private record Idle(Channel channel, long since) {
    }

    private final Map<EventLoop, Map<Endpoint, Deque<Idle>>> idle = new ConcurrentHashMap<>();
    private final Transport transport;

    private final Http2Upstreams http2;

    UpstreamPool(Transport transport) {
        this.transport = transport;
        this.http2 = new Http2Upstreams(transport);
    }

    /**
     * An open idle connection to {@code endpoint} (the most recently used), or a new one; for an instance that speaks
     * HTTP/2, a new stream ({@link Http2Upstreams}). Call on {@code loop}.
     */
    Future<Channel> acquire(EventLoop loop, Endpoint endpoint) {
        if (endpoint.http2()) {
            return http2.open(loop, endpoint);
        }
        Deque<Idle> channels = idleOn(loop).get(endpoint);
        while (channels != null && !channels.isEmpty()) {
            Channel c = channels.pollFirst().channel();
            if (c.isActive()) {
                return loop.newSucceededFuture(c);
            }
        }
        return connect(loop, endpoint);
    }

    /** A new connection to {@code endpoint}, on {@code loop}. */
    Future<Channel> connect(EventLoop loop, Endpoint endpoint) {
        Promise<Channel> connected = loop.newPromise();
        ChannelFuture connect = http1(loop, endpoint);
        if (connect.isDone()) {
            done(connect, connected);
        } else {
            connect.addListener((ChannelFuture f) -> done(f, connected));
        }
        return connected;
    }

    private static void done(ChannelFuture f, Promise<Channel> connected) {
        if (f.isSuccess()) {
            connected.setSuccess(f.channel());
        } else {
            connected.setFailure(f.cause());
        }
    }

    private ChannelFuture http1(EventLoop loop, Endpoint endpoint) {
        ChannelFuture connect = new Bootstrap().group(loop).channel(transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        ResponseFramer framer = new ResponseFramer();
                        c.pipeline().addLast("response-framer", framer);
                        c.pipeline().addLast("proxy-backend", new ProxyBackendHandler(framer));
                    }
                }).connect(endpoint.host(), endpoint.port());
        Channel created = connect.channel();
        created.closeFuture().addListener(f -> {
            Deque<Idle> d = idleOn(loop).get(endpoint);
            if (d != null) {
                d.removeIf(i -> i.channel() == created);
            }
        });
        return connect;
    }

    /** Keeps a connection whose response has ended for the next request. Call on its event loop. */
    void release(Endpoint endpoint, Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        if (endpoint.http2()) {
            channel.close(); // a stream serves one exchange
            return;
        }
        Deque<Idle> channels = idleOn(channel.eventLoop()).computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        channels.addFirst(new Idle(channel, System.nanoTime()));
        if (channels.size() > MAX_IDLE) {
            channels.pollLast().channel().close();
        }
        Exchange.autoRead(channel, true); // notices when the instance closes the idle connection
    }

    private Map<Endpoint, Deque<Idle>> idleOn(EventLoop loop) {
        Map<Endpoint, Deque<Idle>> map = idle.get(loop);
        if (map == null) {
            map = idle.computeIfAbsent(loop, l -> {
                l.scheduleAtFixedRate(() -> sweep(l), 15, 15, TimeUnit.SECONDS);
                return new HashMap<>();
            });
        }
        return map;
    }

    /** Closes the connections of {@code loop} idle for longer than the idle timeout. */
    private void sweep(EventLoop loop) {
        long oldest = System.nanoTime() - IDLE_TIMEOUT_NANOS;
        for (Deque<Idle> channels : idle.get(loop).values()) {
            while (!channels.isEmpty() && channels.peekLast().since() - oldest < 0) {
                channels.pollLast().channel().close();
            }
        }
    }
}
