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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's I/O transport, chosen once at start: native epoll by default, Java NIO where epoll does not load;
 * {@code -Dslipway.router.transport=io_uring|epoll|nio} asks for one (falling back down that list when it cannot
 * load). Epoll is the default because it measured the lower p99 against nginx here, over TLS and in cleartext
 * (io_uring served about a tenth more requests in the TLS closed loop; docs/benchmarks.md, "The default transport");
 * container runtimes' seccomp profiles also often refuse io_uring. The event loop count comes from {@code -Dslipway.router.eventLoops} (default: half
 * the cores, at least 1: on these 2-core machines one loop serves as many requests as two, with a lower p99, since the
 * apps and clients need the other core). See docs/benchmarks.md for both.
 */
record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
                 Class<? extends SocketChannel> clientChannel, String fallbackReason) {
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);

    /** The transport {@code asked} for (io_uring, epoll or nio), or the first one down that list that loads. */
    static Transport choose(String asked) {
        if (!List.of("io_uring", "epoll", "nio").contains(asked)) {
            throw new IllegalArgumentException("slipway.router.transport must be io_uring, epoll or nio (got '" + asked + "')");
        }
        List<String> why = new ArrayList<>();
        if (asked.equals("io_uring")) {
            if (IoUring.isAvailable()) {
                return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                        IoUringSocketChannel.class, "");
            }
            why.add("io_uring did not load: " + IoUring.unavailabilityCause());
        }
        if (!asked.equals("nio")) {
            if (Epoll.isAvailable()) {
                return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class,
                        String.join("; ", why));
            }
            why.add("native epoll did not load: " + Epoll.unavailabilityCause());
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class,
                String.join("; ", why));
    }

    static int eventLoops() {
        return Integer.getInteger("slipway.router.eventLoops", Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    }

    EventLoopGroup group(int threads, String threadName) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadName, true), ioHandlers);
    }

    /** Says which transport serves: at debug level, or as a warning when the preferred ones could not load. */
    void log(int loops) {
        if (fallbackReason.isEmpty()) {
            LOG.debug("Router transport: {} with {} event loop{}", name, loops, loops == 1 ? "" : "s");
        } else {
            LOG.warn("Router transport: {} with {} event loop{} ({})", name, loops, loops == 1 ? "" : "s", fallbackReason);
        }
    }
}
