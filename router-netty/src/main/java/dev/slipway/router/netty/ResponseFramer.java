package dev.slipway.router.netty;

import static dev.slipway.router.netty.HeadBytes.CLOSE;
import static dev.slipway.router.netty.HeadBytes.KEEP_ALIVE;
import static dev.slipway.router.netty.HeadBytes.connectionOptions;
import static dev.slipway.router.netty.HeadBytes.CRLF;
import static dev.slipway.router.netty.HeadBytes.digits;
import static dev.slipway.router.netty.HeadBytes.indexOf;
import static dev.slipway.router.netty.HeadBytes.lineEnd;
import static dev.slipway.router.netty.HeadBytes.nameIs;
import static dev.slipway.router.netty.HeadBytes.regionIs;
import static dev.slipway.router.netty.HeadBytes.trimEnd;
import static dev.slipway.router.netty.HeadBytes.trimStart;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Relays an instance's responses to the client as the bytes they came in, reading only what framing needs (RFC 9112
 * §6.3): the status line, the framing and connection headers, and chunk sizes; nothing is decoded into objects and
 * re-encoded. Per response it emits a {@link Head} (the head as the client gets it), body bytes ready for the client,
 * then {@link #END}; a small body that came with its head rides in the head's buffer. Interim (1xx) responses are
 * dropped. {@link #expect} tells it, before each request goes upstream, what the response may carry.
 */
final class ResponseFramer extends ByteToMessageDecoder implements ResponseReader {
    /** The head of a response as the client gets it ({@link #content()}), and what it means for both connections. */
    static final class Head extends DefaultByteBufHolder {
        final int status;
        final boolean upstreamReusable;
        final boolean closesClient;
        /** No body follows (or a small one is in these bytes). */
        final boolean complete;

        Head(int status, ByteBuf bytes, boolean upstreamReusable, boolean closesClient, boolean complete) {
            super(bytes);
            this.status = status;
            this.upstreamReusable = upstreamReusable;
            this.closesClient = closesClient;
            this.complete = complete;
        }
    }

    /** Follows the last body bytes of a response. */
    static final Object END = new Object() {
        @Override
        public String toString() {
            return "END";
        }
    };

    private static final int MAX_HEAD = 64 * 1024;
    /** A body up to this size that arrived with its head is copied into the head's buffer: one write to the client. */
    private static final int INLINE_BODY = 4 * 1024;
    private static final byte[] HTTP_1_1 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private enum State { IDLE, HEAD, BODY, UNTIL_CLOSE }

    private State state = State.IDLE;
    private final ChunkedBody chunked = new ChunkedBody("the instance's");
    private final HeadBytes bytes = new HeadBytes();
    private boolean headRequest;
    private boolean clientKeepAlive;
    private final Body.Length fixedLength = new Body.Length();
    private Body body;
    /** Until-close bodies are chunked for the client, whose connection then stays open. */
    private boolean chunkForClient;

    @Override
    public void expect(boolean headRequest, boolean clientKeepAlive) {
        this.headRequest = headRequest;
        this.clientKeepAlive = clientKeepAlive;
        state = State.HEAD;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            relay(ctx, in, out);
        } catch (DecoderException e) { // the connection closes; nothing more is read from it
            state = State.IDLE;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void relay(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case IDLE -> { // bytes nobody asked for: the connection cannot be trusted with another request
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                case HEAD -> {
                    if (!head(ctx.alloc(), in, out)) {
                        return;
                    }
                }
                case BODY -> {
                    if (!Body.relay(body, in, out)) {
                        return;
                    }
                    end(out);
                }
                case UNTIL_CLOSE -> {
                    int n = in.readableBytes();
                    if (chunkForClient) {
                        out.add(ctx.alloc().buffer(10).writeBytes(Integer.toHexString(n).getBytes(StandardCharsets.US_ASCII)).writeBytes(CRLF));
                        out.add(in.readRetainedSlice(n));
                        out.add(ctx.alloc().buffer(2).writeBytes(CRLF));
                    } else {
                        out.add(in.readRetainedSlice(n));
                    }
                }
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (state == State.UNTIL_CLOSE) { // the instance closed: that ends the body
            if (chunkForClient) {
                out.add(ctx.alloc().buffer(LAST_CHUNK.length).writeBytes(LAST_CHUNK));
            }
            end(out);
        }
    }

    private void end(List<Object> out) {
        out.add(END);
        state = State.IDLE;
    }

    /** Parses a whole head once it is there; returns false while more bytes are needed. */
    private boolean head(ByteBufAllocator alloc, ByteBuf in, List<Object> out) {
        int available = Math.min(in.readableBytes(), MAX_HEAD + 1);
        int length = bytes.copy(in, Math.min(available, 2048));
        int headEnd = bytes.endOfHead(length); // just past the blank line
        if (headEnd < 0 && available > length) {
            length = bytes.copy(in, available);
            headEnd = bytes.endOfHead(length);
        }
        if (headEnd < 0) {
            if (length > MAX_HEAD) {
                throw new DecoderException("the instance's response head is longer than " + MAX_HEAD + " bytes");
            }
            return false;
        }
        byte[] b = bytes.array();
        int lf = bytes.lineFeed(0);
        int lineEnd = lineEnd(b, 0, lf);
        if (lineEnd < 12 || !regionIs(b, 0, "HTTP/1.") || b[8] != ' ' || lineEnd > 12 && b[12] != ' ') {
            throw new DecoderException("the instance's response does not begin with an HTTP/1.x status line");
        }
        int status = digit(b[9]) * 100 + digit(b[10]) * 10 + digit(b[11]);
        boolean http10 = b[7] == '0';
        ByteBuf head = alloc.buffer(headEnd + 48);
        int run = -1; // where the kept lines not copied yet begin (each ending in CRLF): copied in one go
        if (regionIs(b, 0, "HTTP/1.1") && lineEnd == lf - 1) {
            run = 0;
        } else {
            head.writeBytes(HTTP_1_1).writeBytes(b, 8, lineEnd - 8).writeBytes(CRLF);
        }
        long contentLength = -1;
        boolean transferEncoding = false;
        boolean chunked = false;
        boolean close = http10;
        try {
            int p = lf + 1;
            for (int line = 1; p < headEnd; line++) {
                int next = bytes.lineFeed(line);
                int end = lineEnd(b, p, next);
                if (end == p) {
                    break;
                }
                int colon = indexOf(b, p, end, (byte) ':');
                if (colon <= p) {
                    throw new DecoderException("the instance's response has a header line without a name");
                }
                int nameLength = colon - p;
                int valueStart = trimStart(b, colon + 1, end);
                int valueEnd = trimEnd(b, valueStart, end);
                boolean copy = true;
                if (nameIs(b, p, nameLength, "connection")) {
                    int options = connectionOptions(b, valueStart, valueEnd, null);
                    close = (options & CLOSE) != 0 || close && (options & KEEP_ALIVE) == 0;
                    copy = false;
                } else if (nameIs(b, p, nameLength, "keep-alive")) {
                    copy = false;
                } else if (nameIs(b, p, nameLength, "content-length")) {
                    long value = digits(b, valueStart, valueEnd);
                    if (value < 0) {
                        throw new DecoderException("the instance's response has an invalid Content-Length");
                    }
                    if (contentLength >= 0 && contentLength != value) {
                        throw new DecoderException("the instance's response has two different Content-Length headers");
                    }
                    copy = contentLength < 0; // RFC 9110 §8.6: identical duplicates are passed on as one
                    contentLength = value;
                } else if (nameIs(b, p, nameLength, "transfer-encoding")) {
                    transferEncoding = true;
                    for (int t = valueStart; t <= valueEnd; ) { // each coding; chunked may only be the last
                        int comma = indexOf(b, t, valueEnd, (byte) ',');
                        int ts = trimStart(b, t, comma < 0 ? valueEnd : comma);
                        int e = trimEnd(b, ts, comma < 0 ? valueEnd : comma);
                        if (chunked && e > ts) {
                            throw new DecoderException("the instance's response has a transfer coding after chunked");
                        }
                        chunked = e - ts == 7 && nameIs(b, ts, 7, "chunked");
                        t = comma < 0 ? valueEnd + 1 : comma + 1;
                    }
                }
                if (copy && end == next - 1) {
                    run = run < 0 ? p : run;
                } else {
                    if (run >= 0) {
                        head.writeBytes(b, run, p - run);
                        run = -1;
                    }
                    if (copy) {
                        head.writeBytes(b, p, end - p).writeBytes(CRLF);
                    }
                }
                p = next + 1;
            }
            if (run >= 0) {
                head.writeBytes(b, run, p - run);
            }
            if (transferEncoding && contentLength >= 0) { // RFC 9112 §6.1: a sign of smuggling; nginx refuses it too
                throw new DecoderException("the instance's response has both Content-Length and Transfer-Encoding");
            }
        } catch (RuntimeException e) {
            head.release();
            throw e;
        }
        in.skipBytes(headEnd);
        if (status >= 100 && status < 200) { // interim (100 Continue, 103 Early Hints): the final response follows
            head.release();
            return true;
        }
        boolean closesClient = false;
        if (headRequest || status == 204 || status == 304) {
            state = State.IDLE;
        } else if (chunked) {
            state = State.BODY;
            body = this.chunked.start();
        } else if (contentLength >= 0) {
            state = contentLength == 0 ? State.IDLE : State.BODY;
            body = fixedLength.start(contentLength);
        } else { // delimited by the instance closing its connection
            state = State.UNTIL_CLOSE;
            close = true;
            chunkForClient = !transferEncoding; // another coding cannot be chunked again: the client connection closes
            if (chunkForClient) {
                head.writeBytes(CHUNKED);
            } else {
                closesClient = true;
            }
        }
        if (!clientKeepAlive || closesClient) {
            head.writeBytes(CONNECTION_CLOSE);
        }
        head.writeBytes(CRLF);
        if (body == fixedLength && state == State.BODY && contentLength <= INLINE_BODY && contentLength <= in.readableBytes()) {
            head.writeBytes(in, (int) contentLength); // a small body that came with its head goes in the same write
            state = State.IDLE;
        }
        boolean complete = state == State.IDLE;
        out.add(new Head(status, head, !close, closesClient, complete));
        return true;
    }

    private static int digit(byte b) {
        int d = b - '0';
        if (d < 0 || d > 9) {
            throw new DecoderException("the instance's response has no three-digit status code");
        }
        return d;
    }

}
