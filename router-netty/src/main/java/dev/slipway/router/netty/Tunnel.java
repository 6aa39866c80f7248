package dev.slipway.router.netty;

import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.router.netty.Exchange.Phase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One switched connection (a WebSocket, or another protocol an instance agreed to with 101): the exchange's two
 * connections relay bytes as they are, with its backpressure, until either closes, the tunnel is idle or old past its
 * limits ({@link RouterTimeouts#tunnelIdle()}, {@link RouterTimeouts#tunnelLifetime()}), or its instance is evicted.
 * Then a WebSocket gets a close frame (1001 going away) as soon as the instance's frame in progress is whole, while
 * nothing more is read from the client; another protocol just closes. Lives on the client connection's event loop.
 */
final class Tunnel {
    /** How long a closing WebSocket waits for the instance's frame in progress to end before it is cut without a close frame. */
    private static final long FRAME_END_WAIT_MILLIS = 5000;
    /** A WebSocket close frame, server to client, status 1001 (going away), no reason. */
    private static final byte[] GOING_AWAY = {(byte) 0x88, 2, 0x03, (byte) 0xE9};

    private final ChannelHandlerContext client;
    /** Writes to the client as bytes are, past the response encoder. */
    private final ChannelHandlerContext raw;
    private final Exchange ex;
    private final UpstreamPool pool;
    private final Deadline timer;
    private final Tunnels tunnels;
    /** Where the instance's frames begin (a WebSocket), else null. */
    private final WebSocketFrames frames;
    /** Limits (nanoseconds; 0: none), when it began and when bytes last passed either way. */
    private final long idle;
    private final long lifetime;
    private final long started;
    private long active;
    /** Closing: at the end of the instance's frame in progress. */
    private boolean goingAway;
    private final Runnable onDeadline = this::deadline;

    Tunnel(ChannelHandlerContext client, ChannelHandlerContext raw, Exchange ex, UpstreamPool pool, Deadline timer, Tunnels tunnels,
           String protocol, RouterTimeouts timeouts) {
        this.client = client;
        this.raw = raw;
        this.ex = ex;
        this.pool = pool;
        this.timer = timer;
        this.tunnels = tunnels;
        this.frames = "websocket".equalsIgnoreCase(protocol) ? new WebSocketFrames() : null;
        this.idle = timeouts.tunnelIdle().toNanos();
        this.lifetime = timeouts.tunnelLifetime().toNanos();
        this.started = this.active = System.nanoTime();
        tunnels.add(this);
        armDeadline();
    }

    /** Bytes from the client, for the instance. */
    void fromClient(Object bytes) {
        active = System.nanoTime();
        ex.forward(bytes);
    }

    /**
     * Bytes from the instance, for the client: true if the tunnel took them (it is closing, and wrote them up to the end
     * of the frame in progress, then its close frame); false if the caller writes them as usual.
     */
    boolean fromInstance(ByteBuf bytes) {
        active = System.nanoTime();
        if (frames == null) {
            return false;
        }
        if (!goingAway) {
            frames.feed(bytes);
            return false;
        }
        int n = frames.boundaryWithin(bytes);
        if (n < 0) {
            return false;
        }
        raw.write(bytes.retainedSlice(bytes.readerIndex(), n), raw.voidPromise());
        bytes.release();
        closeGoingAway();
        return true;
    }

    /** Called on any thread: if this tunnel leads to one of {@code instanceIds}, it closes (on its own event loop). */
    void evictIfOn(Set<String> instanceIds) {
        client.executor().execute(() -> {
            if (ex.phase == Phase.TUNNEL && ex.lease != null && instanceIds.contains(ex.lease.endpoint().instanceId())) {
                ex.lease.evicted();
                goAway();
            }
        });
    }

    /** Ends the tunnel: the instance's connection closes, the client's once what was written to it is out. */
    void close() {
        timer.disarm();
        ex.finish(pool, false);
        ex.phase = Phase.CLOSED;
        tunnels.remove(this);
        raw.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void goAway() {
        timer.disarm();
        Exchange.autoRead(client.channel(), false);
        if (frames == null) {
            close();
        } else if (frames.atBoundary()) {
            closeGoingAway();
        } else {
            goingAway = true;
            timer.arm(FRAME_END_WAIT_MILLIS, this::close); // a frame that never ends does not hold the close forever
        }
    }

    private void closeGoingAway() {
        raw.write(Unpooled.wrappedBuffer(GOING_AWAY), raw.voidPromise());
        close();
    }

    /** The next limit: when it will have been idle too long, or lived too long (whichever comes first). */
    private void armDeadline() {
        long now = System.nanoTime();
        long idleLeft = idle > 0 ? active + idle - now : Long.MAX_VALUE;
        long lifeLeft = lifetime > 0 ? started + lifetime - now : Long.MAX_VALUE;
        long next = Math.min(idleLeft, lifeLeft);
        if (next == Long.MAX_VALUE) {
            return;
        }
        if (next <= 0) {
            goAway(); // idle or old enough: closed as a drained one is (1001 going away), not counted as evicted
            return;
        }
        timer.arm(TimeUnit.NANOSECONDS.toMillis(next) + 1, onDeadline);
    }

    private void deadline() {
        if (ex.phase == Phase.TUNNEL && !goingAway) {
            armDeadline();
        }
    }
}
