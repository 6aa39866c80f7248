package dev.slipway.router.netty.http1;

import static dev.slipway.router.netty.http1.HeadBytes.CLOSE;
import static dev.slipway.router.netty.http1.HeadBytes.CRLF;
import static dev.slipway.router.netty.http1.HeadBytes.KEEP_ALIVE;
import static dev.slipway.router.netty.http1.HeadBytes.connectionOptions;
import static dev.slipway.router.netty.http1.HeadBytes.digits;
import static dev.slipway.router.netty.http1.HeadBytes.indexOf;
import static dev.slipway.router.netty.http1.HeadBytes.lineEnd;
import static dev.slipway.router.netty.http1.HeadBytes.nameIs;
import static dev.slipway.router.netty.http1.HeadBytes.regionIs;
import static dev.slipway.router.netty.http1.HeadBytes.trimEnd;
import static dev.slipway.router.netty.http1.HeadBytes.trimStart;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Relays an instance's responses to the client as the bytes they came in, as an incremental state machine ({@link
 * State}) over those bytes. The head is checked as strictly as a request's (RFC 9112 §4-§6, RFC 9110 §5.5: token names
 * right before their colon, no obsolete line folding, no control characters in values; only a bare line feed is
 * forgiven, and passed on as CRLF), so a malformed head is a 502 and never reaches the client, and rewritten: Connection,
 * the headers it names and Keep-Alive dropped, {@code connection: close} or {@code keep-alive} as the client's connection
 * needs. Bodies pass through as they came, but for an HTTP/1.0 client, which gets a chunked body's data only, and for a
 * close-delimited body, which an HTTP/1.1 client gets chunked. Per response it emits a {@link ResponseHead} (the head as the
 * client gets it), body bytes ready for the client, then {@link #END}; a small body that came with its head rides in
 * the head's buffer. Interim (1xx) responses are dropped; a 101 the router did not ask for is a 502, one it did (an
 * upgrade request, {@link #expectUpgrade}) passes on with its Upgrade header and {@code connection: upgrade}, and every
 * byte after it is relayed as it is. {@link #expect} tells it, before each request goes upstream, what the response may carry.
 */
public final class ResponseFramer extends ByteToMessageDecoder implements ResponseReader {
    /** Follows the last body bytes of a response. */
    public static final Object END = new Object() {
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
    private static final byte[] CONNECTION_KEEP_ALIVE = "connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_UPGRADE = "connection: upgrade\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Where the framer is: waiting for a request to go up, in a head, in a body, or in a body that ends with the connection. */
    enum State { IDLE, HEAD, BODY, UNTIL_CLOSE, TUNNEL }

    private State state = State.IDLE;
    private final ChunkedBody chunked = new ChunkedBody("the instance's");
    private final Body.Length fixedLength = new Body.Length();
    private final HeadBytes bytes = new HeadBytes();
    private final HeaderFields fields = new HeaderFields();
    private final List<String> connectionNames = new ArrayList<>(2);
    private boolean headRequest;
    private boolean clientKeepAlive;
    private boolean clientHttp10;
    /** The request asked to switch protocols: a 101 is its answer, not a fault. */
    private boolean upgrade;
    private Body body;
    /** The body's chunk framing is taken off for an HTTP/1.0 client. */
    private boolean dechunk;
    /** A close-delimited body is chunked for the client, whose connection then stays open. */
    private boolean chunkForClient;

    // What the current head says.
    private int status;
    private long contentLength;
    private boolean transferEncoding;
    private boolean chunkedCoding;
    private boolean close;

    public ResponseFramer() {
    }

    @Override
    public void expect(boolean headRequest, boolean clientKeepAlive, boolean clientHttp10) {
        this.headRequest = headRequest;
        this.clientKeepAlive = clientKeepAlive;
        this.clientHttp10 = clientHttp10;
        this.upgrade = false;
        state = State.HEAD;
        bytes.reset();
    }

    @Override
    public void expectUpgrade() {
        upgrade = true;
    }

    /** Bytes of heads copied and scanned on this connection so far (each byte once, however the heads were cut). */
    long headWork() {
        return bytes.work();
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
                    if (!(dechunk ? chunked.relayData(in, out) : Body.relay(body, in, out))) {
                        return;
                    }
                    end(out);
                }
                case UNTIL_CLOSE -> untilClose(ctx.alloc(), in, out);
                case TUNNEL -> out.add(in.readRetainedSlice(in.readableBytes()));
            }
        }
    }

    private void untilClose(ByteBufAllocator alloc, ByteBuf in, List<Object> out) {
        int n = in.readableBytes();
        if (chunkForClient) {
            out.add(alloc.buffer(10).writeBytes(Integer.toHexString(n).getBytes(StandardCharsets.US_ASCII)).writeBytes(CRLF));
            out.add(in.readRetainedSlice(n));
            out.add(alloc.buffer(2).writeBytes(CRLF));
        } else {
            out.add(in.readRetainedSlice(n));
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
        int headEnd = bytes.feed(in, MAX_HEAD + 1);
        if (headEnd < 0) {
            if (bytes.copied() > MAX_HEAD) {
                throw new DecoderException("the instance's response head is longer than " + MAX_HEAD + " bytes");
            }
            return false;
        }
        int count;
        try {
            statusLine(bytes.array(), bytes.lineFeed(0));
            count = fields.parse(bytes, headEnd, false);
            readFields(bytes.array(), count);
        } catch (MalformedHead e) {
            throw new DecoderException("the instance's response is malformed: " + e.getMessage());
        }
        in.skipBytes(headEnd);
        bytes.reset();
        if (status == 101) { // switched, as the upgrade request asked (statusLine refused any other 101)
            ByteBuf head = alloc.buffer(headEnd + 24);
            writeSwitchHead(head, count);
            state = State.TUNNEL;
            out.add(new ResponseHead(status, head, false, false, false));
            return true;
        }
        if (status >= 100 && status < 200) { // interim (100 Continue, 103 Early Hints): the final response follows
            return true;
        }
        ByteBuf head = alloc.buffer(headEnd + 48);
        boolean closesClient = startBody();
        writeHead(head, count, closesClient);
        if (body == fixedLength && state == State.BODY && contentLength <= INLINE_BODY && contentLength <= in.readableBytes()) {
            head.writeBytes(in, (int) contentLength); // a small body that came with its head goes in the same write
            state = State.IDLE;
        }
        out.add(new ResponseHead(status, head, !close, closesClient, state == State.IDLE));
        return true;
    }

    /** HTTP/1.x SP three-digit status [SP reason]; a 101 the router did not ask for (it forwards no Upgrade) is refused. */
    private void statusLine(byte[] b, int lf) {
        int lineEnd = lineEnd(b, 0, lf);
        if (lineEnd < 12 || !regionIs(b, 0, "HTTP/1.") || b[8] != ' ' || lineEnd > 12 && b[12] != ' ') {
            throw new MalformedHead("it does not begin with an HTTP/1.x status line");
        }
        if (b[7] != '0' && b[7] != '1') {
            throw new MalformedHead("it is in an HTTP version the router does not speak");
        }
        status = digit(b[9]) * 100 + digit(b[10]) * 10 + digit(b[11]);
        for (int i = 13; i < lineEnd; i++) {
            if (b[i] < ' ' && b[i] != '\t' || b[i] == 127) {
                throw new MalformedHead("its reason phrase has a control character");
            }
        }
        if (status == 101 && !upgrade) {
            throw new MalformedHead("it switches protocols (101) for a request that asked for no upgrade");
        }
        close = b[7] == '0';
    }

    /** Framing and connection fields; the others pass on as they are. */
    private void readFields(byte[] b, int count) {
        contentLength = -1;
        transferEncoding = false;
        chunkedCoding = false;
        connectionNames.clear();
        for (int i = 0; i < count; i++) {
            int vs = fields.valueStart(i);
            int ve = fields.valueEnd(i);
            switch (fields.kind(i)) {
                case HeaderFields.CONNECTION -> {
                    int options = connectionOptions(b, vs, ve, connectionNames);
                    close = (options & CLOSE) != 0 || close && (options & KEEP_ALIVE) == 0;
                }
                case HeaderFields.CONTENT_LENGTH -> contentLength(b, vs, ve);
                case HeaderFields.TRANSFER_ENCODING -> transferCodings(b, vs, ve);
                default -> {
                }
            }
        }
        if (transferEncoding && contentLength >= 0) { // RFC 9112 §6.1: a sign of smuggling; nginx refuses it too
            throw new MalformedHead("it has both Content-Length and Transfer-Encoding");
        }
    }

    private void contentLength(byte[] b, int vs, int ve) {
        long value = digits(b, vs, ve);
        if (value < 0) {
            throw new MalformedHead("it has an invalid Content-Length");
        }
        if (contentLength >= 0 && contentLength != value) {
            throw new MalformedHead("it has two different Content-Length headers");
        }
        contentLength = value;
    }

    /** Each coding of a Transfer-Encoding field; chunked may only be the last. */
    private void transferCodings(byte[] b, int vs, int ve) {
        transferEncoding = true;
        for (int t = vs; t <= ve; ) {
            int comma = indexOf(b, t, ve, (byte) ',');
            int ts = trimStart(b, t, comma < 0 ? ve : comma);
            int e = trimEnd(b, ts, comma < 0 ? ve : comma);
            if (chunkedCoding && e > ts) {
                throw new MalformedHead("it has a transfer coding after chunked");
            }
            chunkedCoding = e - ts == 7 && nameIs(b, ts, 7, "chunked");
            t = comma < 0 ? ve + 1 : comma + 1;
        }
    }

    /** How the body is delimited, for the instance's connection and the client's; returns whether the client's closes. */
    private boolean startBody() {
        dechunk = false;
        chunkForClient = false;
        if (headRequest || status == 204 || status == 304) {
            state = State.IDLE;
            return false;
        }
        if (chunkedCoding) {
            state = State.BODY;
            body = chunked.start();
            dechunk = clientHttp10; // an HTTP/1.0 client reads no chunks: it gets the data, delimited by the close
            return dechunk;
        }
        if (contentLength >= 0) {
            state = contentLength == 0 ? State.IDLE : State.BODY;
            body = fixedLength.start(contentLength);
            return false;
        }
        state = State.UNTIL_CLOSE; // delimited by the instance closing its connection
        close = true;
        chunkForClient = !transferEncoding && !clientHttp10; // another coding cannot be chunked again
        return !chunkForClient;
    }

    /**
     * The head the client gets: the status line as HTTP/1.1, the kept lines (runs of lines ending in CRLF copied in one
     * go), and the connection's own line. Identical duplicate Content-Length lines pass on as one (RFC 9110 §8.6).
     */
    private void writeHead(ByteBuf head, int count, boolean closesClient) {
        byte[] b = bytes.array();
        int lf = bytes.lineFeed(0);
        int lineEnd = lineEnd(b, 0, lf);
        int run = -1; // where the kept lines not copied yet begin
        if (regionIs(b, 0, "HTTP/1.1") && lineEnd == lf - 1) {
            run = 0;
        } else {
            head.writeBytes(HTTP_1_1).writeBytes(b, 8, lineEnd - 8).writeBytes(CRLF);
        }
        boolean lengthWritten = false;
        for (int i = 0; i < count; i++) {
            int k = fields.kind(i);
            int start = fields.nameStart(i);
            boolean keep = k == HeaderFields.OTHER ? !named(b, start, fields.nameEnd(i))
                    : k == HeaderFields.CONTENT_LENGTH ? !lengthWritten : k == HeaderFields.TRANSFER_ENCODING && !clientHttp10; // 1.0 has none
            lengthWritten |= k == HeaderFields.CONTENT_LENGTH;
            int end = bytes.lineFeed(i + 1);
            if (keep && b[end - 1] == HeadBytes.CR) {
                run = run < 0 ? start : run;
                continue;
            }
            if (run >= 0) {
                head.writeBytes(b, run, start - run);
                run = -1;
            }
            if (keep) {
                head.writeBytes(b, start, fields.valueEnd(i) - start).writeBytes(CRLF);
            }
        }
        if (run >= 0) {
            head.writeBytes(b, run, (count == 0 ? lf : bytes.lineFeed(count)) + 1 - run);
        }
        if (chunkForClient) {
            head.writeBytes(CHUNKED);
        }
        if (!clientKeepAlive || closesClient) {
            head.writeBytes(CONNECTION_CLOSE);
        } else if (clientHttp10) {
            head.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        head.writeBytes(CRLF);
    }

    /**
     * A 101's head as the client gets it: HTTP/1.1, its fields (Upgrade and the protocol's own, such as
     * Sec-WebSocket-Accept) but Connection, Keep-Alive and framing, and {@code connection: upgrade}.
     */
    private void writeSwitchHead(ByteBuf head, int count) {
        byte[] b = bytes.array();
        int lineEnd = lineEnd(b, 0, bytes.lineFeed(0));
        head.writeBytes(HTTP_1_1).writeBytes(b, 8, lineEnd - 8).writeBytes(CRLF);
        for (int i = 0; i < count; i++) {
            if (fields.kind(i) == HeaderFields.OTHER) {
                int start = fields.nameStart(i);
                head.writeBytes(b, start, fields.valueEnd(i) - start).writeBytes(CRLF);
            }
        }
        head.writeBytes(CONNECTION_UPGRADE).writeBytes(CRLF);
    }

    /** Whether the name from {@code from} to {@code to} is one the response's Connection header named. */
    private boolean named(byte[] b, int from, int to) {
        for (int i = 0; i < connectionNames.size(); i++) {
            if (nameIs(b, from, to - from, connectionNames.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static int digit(byte b) {
        int d = b - '0';
        if (d < 0 || d > 9) {
            throw new MalformedHead("it has no three-digit status code");
        }
        return d;
    }
}
