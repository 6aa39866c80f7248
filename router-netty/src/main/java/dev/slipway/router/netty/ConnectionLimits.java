package dev.slipway.router.netty;

import dev.slipway.core.spi.RouterLimits;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the router's client connections, in all and per address ({@link RouterLimits}); a connection past either cap
 * is answered 503 with Retry-After and closed, and refusals are logged (at most one line every 10 s, with the count).
 */
final class ConnectionLimits {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
    private static final byte[] ALL_TAKEN = refusal("The router has as many connections open as it may. Retry soon.\n");
    private static final byte[] CLIENT_TAKEN = refusal("Your address has as many connections open as the router allows one "
            + "client. Close some, or retry soon.\n");
    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final RouterLimits limits;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    ConnectionLimits(RouterLimits limits) {
        this.limits = limits;
    }

    /** Counts {@code channel} in (until it closes) and returns true, or answers 503, closes it and returns false. */
    boolean admit(Channel channel, InetAddress client) {
        AtomicInteger fromClient = perClient.compute(client, (a, n) -> n == null ? new AtomicInteger() : n);
        int clientCount = fromClient.incrementAndGet();
        int total = open.incrementAndGet();
        channel.closeFuture().addListener(f -> release(client));
        if (total <= limits.maxConnections() && clientCount <= limits.maxConnectionsPerClient()) {
            return true;
        }
        boolean all = total > limits.maxConnections();
        refuse(client, all ? "the router's " + limits.maxConnections() + " connections (--max-connections)"
                : client.getHostAddress() + "'s " + limits.maxConnectionsPerClient() + " connections (--max-connections-per-client)");
        channel.writeAndFlush(Unpooled.wrappedBuffer(all ? ALL_TAKEN : CLIENT_TAKEN)).addListener(ChannelFutureListener.CLOSE);
        return false;
    }

    private static byte[] refusal(String body) {
        return ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nX-Slipway-Error: 503\r\n"
                + "Retry-After: 1\r\nConnection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    private void release(InetAddress client) {
        open.decrementAndGet();
        perClient.computeIfPresent(client, (a, n) -> n.decrementAndGet() == 0 ? null : n);
    }

    private void refuse(InetAddress client, String cap) {
        long count = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLog.get();
        if (now - last >= LOG_EVERY_NANOS && lastLog.compareAndSet(last, now)) {
            LOG.warn("Refused a connection from {}: it would pass {} ({} refused so far)", client.getHostAddress(), cap, count);
        }
    }

    /** Client connections open now. */
    int open() {
        return open.get();
    }
}
