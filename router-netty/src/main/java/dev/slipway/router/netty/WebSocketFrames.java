package dev.slipway.router.netty;

import io.netty.buffer.ByteBuf;

/**
 * Where the frames of a WebSocket's byte stream begin (RFC 6455 §5.2), tracked as an instance's bytes pass on to the
 * client, so that the router can end the stream with a close frame of its own between two frames, never inside one.
 */
final class WebSocketFrames {
    /** Header bytes of the frame being read (2 to 14), and how many of them it has. */
    private final byte[] header = new byte[14];
    private int headerRead;
    /** Payload bytes of the current frame still to pass. */
    private long payloadLeft;

    /** Whether the bytes so far end with a whole frame (or there were none). */
    boolean atBoundary() {
        return headerRead == 0 && payloadLeft == 0;
    }

    /**
     * Follows {@code bytes} (not consumed) up to the first frame boundary in them; returns how many bytes that took (0 at
     * a boundary already), or -1 if they end inside a frame (all followed).
     */
    int boundaryWithin(ByteBuf bytes) {
        if (atBoundary()) {
            return 0;
        }
        int start = bytes.readerIndex();
        int at = start;
        int end = bytes.writerIndex();
        while (at < end) {
            at = step(bytes, at, end);
            if (atBoundary()) {
                return at - start;
            }
        }
        return -1;
    }

    /** Follows all of {@code bytes} (not consumed). */
    void feed(ByteBuf bytes) {
        for (int at = bytes.readerIndex(), end = bytes.writerIndex(); at < end; ) {
            at = step(bytes, at, end);
        }
    }

    /** Takes a run of payload bytes, or one header byte; returns where the next step begins. */
    private int step(ByteBuf bytes, int at, int end) {
        if (payloadLeft > 0) {
            int n = (int) Math.min(payloadLeft, end - at);
            payloadLeft -= n;
            return at + n;
        }
        header[headerRead++] = bytes.getByte(at);
        if (headerRead == headerLength()) {
            payloadLeft = payloadLength();
            headerRead = 0;
        }
        return at + 1;
    }

    /** The whole header's length, once its first two bytes are known (2 until then). */
    private int headerLength() {
        if (headerRead < 2) {
            return 2;
        }
        int len7 = header[1] & 0x7f;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    private long payloadLength() {
        int len7 = header[1] & 0x7f;
        if (len7 < 126) {
            return len7;
        }
        long n = 0;
        for (int i = 0, bytes = len7 == 126 ? 2 : 8; i < bytes; i++) {
            n = n << 8 | header[2 + i] & 0xff;
        }
        return n < 0 ? Long.MAX_VALUE : n; // the most significant bit must be 0: no boundary follows such a frame

    }
}
