package dev.slipway.router.netty;

import dev.slipway.router.netty.http1.ResponseFramer;
import dev.slipway.core.routing.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Idle keep-alive connections to instances, per event loop and endpoint, so a request's upstream connection lives on
 * the same event loop as its client connection and the pool needs no locks.
 */
final class UpstreamPool {
    private final Map<EventLoop, Map<Endpoint, Deque<Channel>>> idle = new ConcurrentHashMap<>();
    private final Transport transport;

    UpstreamPool(Transport transport) {
        this.transport = transport;
    }

    /** An open idle connection to {@code endpoint}, or a new one. Call on {@code loop}. */
    ChannelFuture acquire(EventLoop loop, Endpoint endpoint) {
        Deque<Channel> channels = idle.computeIfAbsent(loop, l -> new HashMap<>()).get(endpoint);
        while (channels != null && !channels.isEmpty()) {
            Channel c = channels.pollFirst();
            if (c.isActive()) {
                return c.newSucceededFuture();
            }
        }
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
            Deque<Channel> d = idle.get(loop).get(endpoint);
            if (d != null) {
                d.remove(created);
            }
        });
        return connect;
    }

    /** Keeps a connection whose response has ended for the next request. Call on its event loop. */
    void release(Endpoint endpoint, Channel channel) {
        if (!channel.isActive()) {
            return;
        }
        Deque<Channel> channels = idle.computeIfAbsent(channel.eventLoop(), l -> new HashMap<>())
                .computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        channels.addFirst(channel);
        Exchange.autoRead(channel, true); // notices when the instance closes the idle connection
    }
}
