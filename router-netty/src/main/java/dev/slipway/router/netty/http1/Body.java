package dev.slipway.router.netty.http1;

import io.netty.buffer.ByteBuf;
import java.util.List;

/**
 * How a message body is delimited, followed through its raw bytes, which pass on unchanged: {@link #scan} says how
 * many of the readable bytes belong to the body (without reading them), {@link #ended()} whether it ended there.
 */
interface Body {
    int scan(ByteBuf in);

    boolean ended();

    /** Passes what of {@code in} belongs to {@code body} on to {@code out}, as a slice; returns whether the body ended. */
    static boolean relay(Body body, ByteBuf in, List<Object> out) {
        int n = body.scan(in);
        if (n > 0) {
            out.add(in.readRetainedSlice(n));
        }
        return body.ended();
    }

    /** A body of {@code Content-Length} bytes. */
    final class Length implements Body {
        private long remaining;

        Length start(long length) {
            remaining = length;
            return this;
        }

        @Override
        public int scan(ByteBuf in) {
            int n = (int) Math.min(remaining, in.readableBytes());
            remaining -= n;
            return n;
        }

        @Override
        public boolean ended() {
            return remaining == 0;
        }
    }
}
