package dev.slipway.router.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's I/O transport, chosen once at start: Linux's native epoll where it loads, Java NIO otherwise, with the
 * event loop count from {@code -Dslipway.router.eventLoops} (default: half the cores, at least 1: on these 2-core
 * machines one loop serves as many requests as two, with a lower p99, since the apps and clients need the other core;
 * see docs/benchmarks.md).
 */
record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
                 Class<? extends SocketChannel> clientChannel) {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    static Transport choose() {
        if (!Boolean.getBoolean("slipway.router.nio") && Epoll.isAvailable()) {
            return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    static int eventLoops() {
        return Integer.getInteger("slipway.router.eventLoops", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    EventLoopGroup group(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), ioHandlers);
    }

    void log(int loops) {
        LOG.info("Router transport: {} with {} event loop{}{}", name, loops, loops == 1 ? "" : "s",
                name.equals("nio") && !Boolean.getBoolean("slipway.router.nio")
                        ? " (native epoll did not load: " + Epoll.unavailabilityCause() + ")" : "");
    }
}
