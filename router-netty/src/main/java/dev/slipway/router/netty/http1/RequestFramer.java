package dev.slipway.router.netty.http1;

import static dev.slipway.router.netty.http1.HeadBytes.CLOSE;
import static dev.slipway.router.netty.http1.HeadBytes.CR;
import static dev.slipway.router.netty.http1.HeadBytes.CRLF;
import static dev.slipway.router.netty.http1.HeadBytes.KEEP_ALIVE;
import static dev.slipway.router.netty.http1.HeadBytes.LF;
import static dev.slipway.router.netty.http1.HeadBytes.connectionOptions;
import static dev.slipway.router.netty.http1.HeadBytes.digits;
import static dev.slipway.router.netty.http1.HeadBytes.indexOf;
import static dev.slipway.router.netty.http1.HeadBytes.nameIs;
import static dev.slipway.router.netty.http1.HeadBytes.regionIs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames what a client sends without decoding it into objects: an incremental state machine ({@link State}) in the
 * shape of Netty's {@code HttpObjectDecoder}, over the bytes as they come. Each request head is checked strictly (RFC
 * 9112 §2-§7, RFC 9110 §5, §7.6: a proxy must refuse whatever an instance behind it could frame or read differently)
 * and rewritten into the head the instance gets: origin-form target, HTTP/1.1, framing headers in their plain form
 * ({@code content-length: N}, {@code transfer-encoding: chunked}), no hop-by-hop headers (Connection and the headers
 * it names, Keep-Alive, TE, Trailer, Upgrade, Expect, Proxy-*), and X-Forwarded-For/-Proto/-Host. The body passes
 * through as it came, delimited by Content-Length or chunked. Per request it emits a {@link RequestHead}, body bytes,
 * then {@link #END} (a head with no body, or with a small one that came with it, is {@link RequestHead#complete}). A request that
 * cannot be forwarded safely becomes a {@link Refused} (a malformed chunk too, after its head went on), after which
 * the connection's input is ignored.
 */
public final class RequestFramer extends ByteToMessageDecoder {
    /** A request the router answers with {@code status} and a closed connection. */
    public record Refused(HttpResponseStatus status, String message) {
    }

    /** Follows the last body bytes of a request. */
    public static final Object END = new Object() {
        @Override
        public String toString() {
            return "END";
        }
    };

    private static final int MAX_REQUEST_LINE = 4096;
    private static final int MAX_HEADERS = 8192;
    private static final int INLINE_BODY = 4 * 1024;
    private static final byte[] HTTP_1_1 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST_FIELD = "host: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONTENT_LENGTH = "content-length: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORWARDED_FOR = "x-forwarded-for: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORWARDED_HOST = "x-forwarded-host: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UPGRADE = "upgrade: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CONNECTION_UPGRADE = "connection: upgrade\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Where the framer is: in a head (incomplete ones are kept in {@link HeadBytes}), a body, done reading, holding what
     * follows an upgrade request until the instance answers it, or relaying the bytes of a switched protocol.
     */
    enum State { HEAD, BODY, REFUSED, UPGRADING, TUNNEL }

    /** What a client may send after an upgrade request before it is answered (it should wait): past it, refused. */
    private static final int MAX_EARLY_BYTES = 64 * 1024;

    /** The end of the X-Forwarded-For line (the client's address) and the X-Forwarded-Proto line; the same, whole. */
    private final byte[] clientAddressAndProto;
    private final byte[] forwardedForAndProto;
    /** On a service's direct port: the host every request goes to (a request there needs no Host). */
    private final String fixedHost;
    private final ChunkedBody chunked = new ChunkedBody("the request's");
    private final Body.Length fixedLength = new Body.Length();
    private final HeadBytes bytes = new HeadBytes();
    private final HeaderFields fields = new HeaderFields();
    private State state = State.HEAD;
    private Body body;
    private final RequestTarget target = new RequestTarget();

    // What the current head says: its request line (offsets into the copied head) and its fields.
    private int methodEnd;
    private int targetEnd;
    private boolean http11;
    private boolean headRequest;
    private boolean idempotent;
    private long contentLength;
    private boolean transferEncoding;
    private boolean close;
    private boolean keepAliveToken;
    private String expect;
    private String forwardedFor;
    private String traceparent;
    private boolean traceContext;
    private List<String> connectionNames;
    /** The Upgrade header's value (its first), or null; whether this request switches protocols if the instance agrees. */
    private String upgradeTo;
    private boolean upgrade;
    /** Where the rewritten head's trace context lines begin, and where its fields end (its blank line). */
    private int traceStart;
    private int fieldsEnd;

    public RequestFramer(String clientAddress, String fixedHost) {
        this(clientAddress, fixedHost, false);
    }

    /** Frames the requests of a client at {@code clientAddress}; {@code https}: its connection is TLS (X-Forwarded-Proto). */
    public RequestFramer(String clientAddress, String fixedHost, boolean https) {
        String proto = "x-forwarded-proto: " + (https ? "https" : "http") + "\r\n";
        this.clientAddressAndProto = (clientAddress + "\r\n" + proto).getBytes(StandardCharsets.ISO_8859_1);
        this.forwardedForAndProto = ("x-forwarded-for: " + clientAddress + "\r\n" + proto).getBytes(StandardCharsets.ISO_8859_1);
        this.fixedHost = fixedHost;
    }

    /** A framer for another stream of {@code sameClient}'s connection: same client, host and protocol, nothing read yet. */
    public RequestFramer(RequestFramer sameClient) {
        this.clientAddressAndProto = sameClient.clientAddressAndProto;
        this.forwardedForAndProto = sameClient.forwardedForAndProto;
        this.fixedHost = sameClient.fixedHost;
    }

    /** Bytes of heads copied and scanned on this connection so far (each byte once, however the heads were cut). */
    long headWork() {
        return bytes.work();
    }

    /**
     * Frames {@code in} outside a pipeline: an HTTP/2 stream's request, whose bytes the stream's bridge makes (a head
     * whole, a chunk's size line whole). {@code ctx} is the connection's, for its allocator.
     */
    public void frame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case HEAD -> {
                    if (!head(ctx.alloc(), in, out)) {
                        return;
                    }
                }
                case BODY -> {
                    if (!body(in, out)) {
                        return;
                    }
                }
                case UPGRADING -> { // kept (the decoder's buffer) until the instance answers; read no more meanwhile
                    if (in.readableBytes() > MAX_EARLY_BYTES) {
                        refuse(new MalformedHead("more than " + MAX_EARLY_BYTES + " bytes were sent after an upgrade request before it was answered."), out);
                    }
                    return;
                }
                case TUNNEL -> out.add(in.readRetainedSlice(in.readableBytes()));
                default -> { // REFUSED: the connection closes after the answer
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /**
     * The instance switched protocols (101) for the upgrade request: from now on every byte the client sends, those it
     * sent early included, is relayed as it is. {@code ctx} is this framer's context; called on its event loop.
     */
    public void upgraded(ChannelHandlerContext ctx) {
        if (state == State.UPGRADING) {
            state = State.TUNNEL;
            resume(ctx);
        }
    }

    /** The upgrade request was answered otherwise (or by the router itself): what followed it is read as requests. */
    public void notUpgraded(ChannelHandlerContext ctx) {
        if (state == State.UPGRADING) {
            state = State.HEAD;
            resume(ctx);
        }
    }

    /** Whether what follows an upgrade request waits for its answer. */
    public boolean upgrading() {
        return state == State.UPGRADING;
    }

    /** Decodes what the decoder's buffer holds now, as if it had just been read. */
    private void resume(ChannelHandlerContext ctx) {
        try {
            channelRead(ctx, io.netty.buffer.Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    /** Relays body bytes; returns whether the body ended. A malformed chunk refuses the request (400). */
    private boolean body(ByteBuf in, List<Object> out) {
        try {
            if (!Body.relay(body, in, out)) {
                return false;
            }
        } catch (DecoderException e) {
            refuse(new MalformedHead(e.getMessage() + "."), out);
            return false;
        }
        out.add(END);
        state = State.HEAD;
        return true;
    }

    private void refuse(MalformedHead e, List<Object> out) {
        state = State.REFUSED;
        bytes.reset();
        out.add(new Refused(e.status, "Bad request: " + e.getMessage()));
    }

    /** Parses a whole head once it is there; returns false while more bytes are needed. */
    private boolean head(ByteBufAllocator alloc, ByteBuf in, List<Object> out) {
        while (bytes.copied() == 0 && in.isReadable() && (in.getByte(in.readerIndex()) == CR || in.getByte(in.readerIndex()) == LF)) {
            in.skipBytes(1); // RFC 9112 §2.2: empty lines before a request line are ignored
        }
        try {
            int headEnd = bytes.feed(in, MAX_REQUEST_LINE + MAX_HEADERS + 4);
            checkLength(headEnd);
            if (headEnd < 0) {
                return false;
            }
            String routeKey = read(headEnd);
            ByteBuf head = rewrite(alloc, headEnd);
            in.skipBytes(headEnd);
            bytes.reset();
            boolean complete = startBody(in, head);
            out.add(new RequestHead(headRequest, routeKey, http11 ? !close : keepAliveToken && !close, !http11, expect, complete,
                    idempotent, head, methodEnd, traceparent, traceStart, fieldsEnd, upgrade ? upgradeTo.trim() : null));
            if (upgrade) {
                state = State.UPGRADING;
                return false; // what follows waits for the instance's answer
            }
            return true;
        } catch (MalformedHead e) {
            refuse(e, out);
            return true;
        }
    }

    /** 414 for a long request line, 431 for long headers, as soon as the bytes so far show it. */
    private void checkLength(int headEnd) {
        int lf = bytes.lines() > 0 ? bytes.lineFeed(0) : -1;
        if (lf < 0 && bytes.copied() > MAX_REQUEST_LINE || lf > MAX_REQUEST_LINE) {
            throw new MalformedHead(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is longer than " + MAX_REQUEST_LINE + " bytes.");
        }
        if (lf >= 0 && (headEnd >= 0 ? headEnd - lf > MAX_HEADERS + 2 : bytes.copied() - lf > MAX_HEADERS)) {
            throw new MalformedHead(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the header section is longer than " + MAX_HEADERS + " bytes.");
        }
    }

    /** Reads the whole head: its request line, its fields, its target; returns the route key. */
    private String read(int headEnd) {
        requestLine(bytes.array(), bytes.lineFeed(0));
        int count = fields.parse(bytes, headEnd, true);
        readFields(bytes.array(), count);
        target.target(bytes.array(), methodEnd + 1, targetEnd);
        return target.routeKey();
    }

    /** Method SP target SP version (RFC 9112 §3): a token, a target without spaces or controls, HTTP/1.1 or 1.0. */
    private void requestLine(byte[] b, int lf) {
        if (lf == 0 || b[lf - 1] != CR) { // header lines are checked as HeaderFields splits them
            throw new MalformedHead(HeaderFields.BARE_LF);
        }
        int lineEnd = lf - 1;
        int sp1 = 0;
        while (sp1 < lineEnd && HeaderFields.isToken(b[sp1])) {
            sp1++;
        }
        if (sp1 == 0 || sp1 >= lineEnd || b[sp1] != ' ') {
            throw new MalformedHead("the request line does not begin with a method and one space.");
        }
        int sp2 = sp1 + 1;
        while (sp2 < lineEnd && b[sp2] > ' ' && b[sp2] < 127) {
            sp2++;
        }
        if (sp2 == sp1 + 1 || sp2 >= lineEnd || b[sp2] != ' ') {
            throw new MalformedHead("the request target must be followed by one space, and have no spaces, controls or non-ASCII bytes.");
        }
        if (lineEnd - sp2 - 1 < 5 || !regionIs(b, sp2 + 1, "HTTP/") || indexOf(b, sp2 + 1, lineEnd, (byte) ' ') >= 0) {
            throw new MalformedHead("the request line must end in the HTTP version after one space.");
        }
        if (lineEnd - sp2 - 1 != 8 || !regionIs(b, sp2 + 1, "HTTP/1.") || b[lineEnd - 1] != '1' && b[lineEnd - 1] != '0') {
            throw new MalformedHead(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "the router speaks HTTP/1.1 and HTTP/1.0.");
        }
        methodEnd = sp1;
        targetEnd = sp2;
        http11 = b[lineEnd - 1] == '1';
        headRequest = sp1 == 4 && regionIs(b, 0, "HEAD");
        idempotent = sp1 == 3 && (regionIs(b, 0, "GET") || regionIs(b, 0, "PUT")) || headRequest
                || sp1 == 6 && regionIs(b, 0, "DELETE") || sp1 == 7 && regionIs(b, 0, "OPTIONS") || sp1 == 5 && regionIs(b, 0, "TRACE");
    }

    /** What the fields say: Host, framing, connection options, Expect, X-Forwarded-For. */
    private void readFields(byte[] b, int count) {
        target.reset();
        contentLength = -1;
        transferEncoding = false;
        close = false;
        keepAliveToken = false;
        expect = null;
        forwardedFor = null;
        traceparent = null;
        traceContext = false;
        connectionNames = null;
        upgradeTo = null;
        for (int i = 0; i < count; i++) {
            int vs = fields.valueStart(i);
            int ve = fields.valueEnd(i);
            switch (fields.kind(i)) {
                case HeaderFields.HOST -> target.host(b, vs, ve);
                case HeaderFields.CONTENT_LENGTH -> contentLength(b, vs, ve);
                case HeaderFields.TRANSFER_ENCODING -> transferEncoding(b, vs, ve);
                case HeaderFields.CONNECTION -> {
                    connectionNames = connectionNames == null ? new ArrayList<>(2) : connectionNames;
                    int options = connectionOptions(b, vs, ve, connectionNames);
                    close |= (options & CLOSE) != 0;
                    keepAliveToken |= (options & KEEP_ALIVE) != 0;
                }
                case HeaderFields.EXPECT -> expect = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
                case HeaderFields.UPGRADE -> upgradeTo = upgradeTo != null ? upgradeTo : new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
                case HeaderFields.X_FORWARDED_FOR -> forwardedFor = forwardedFor != null ? forwardedFor
                        : new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
                case HeaderFields.TRACE_CONTEXT -> {
                    traceContext = true;
                    if (traceparent == null && fields.nameEnd(i) - fields.nameStart(i) == 11) {
                        traceparent = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
                    }
                }
                default -> {
                }
            }
        }
        if (transferEncoding && contentLength >= 0) {
            throw new MalformedHead("a request with both Content-Length and Transfer-Encoding cannot be forwarded safely.");
        }
        if (transferEncoding && !http11) {
            throw new MalformedHead("HTTP/1.0 has no Transfer-Encoding.");
        }
        // RFC 9110 §7.8: a protocol switch is asked with Upgrade and the "upgrade" connection option; the router passes one
        // through for a bodiless HTTP/1.1 GET only (as WebSocket's handshake is), and drops Upgrade from anything else
        upgrade = upgradeTo != null && !upgradeTo.isBlank() && http11 && methodEnd == 3 && regionIs(b, 0, "GET")
                && connectionNames != null && connectionNames.contains("upgrade") && !transferEncoding && contentLength <= 0;
    }

    private void contentLength(byte[] b, int vs, int ve) {
        if (contentLength >= 0) {
            throw new MalformedHead("more than one Content-Length header.");
        }
        contentLength = digits(b, vs, ve);
        if (contentLength < 0) {
            throw new MalformedHead("Content-Length must be a number of bytes.");
        }
    }

    private void transferEncoding(byte[] b, int vs, int ve) {
        if (transferEncoding || ve - vs != 7 || !nameIs(b, vs, 7, "chunked")) {
            throw new MalformedHead("Transfer-Encoding must be exactly 'chunked' (got '"
                    + new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1) + "'); the router accepts no other transfer coding.");
        }
        transferEncoding = true;
    }

    /** The head the instance gets, written from the checked bytes. */
    private ByteBuf rewrite(ByteBufAllocator alloc, int headEnd) {
        byte[] b = bytes.array();
        ByteBuf head = alloc.buffer(headEnd + 128);
        head.writeBytes(b, 0, methodEnd + 1);
        String authority = target.authority;
        String host = target.host;
        if (target.originTarget != null) {
            head.writeCharSequence(target.originTarget, StandardCharsets.ISO_8859_1);
        } else {
            head.writeBytes(b, methodEnd + 1, targetEnd - methodEnd - 1);
        }
        head.writeBytes(HTTP_1_1);
        writeFields(b, head);
        String routeHost = authority != null ? authority : host != null ? host : fixedHost;
        if (routeHost != null && (authority != null || host == null)) {
            field(head, HOST_FIELD, routeHost);
        }
        if (forwardedFor != null) {
            head.writeBytes(FORWARDED_FOR).writeCharSequence(forwardedFor, StandardCharsets.ISO_8859_1);
            head.writeByte(',').writeByte(' ');
        }
        head.writeBytes(forwardedFor != null ? clientAddressAndProto : forwardedForAndProto);
        if (authority == null && host != null) { // the Host header's value, as it came
            head.writeBytes(FORWARDED_HOST).writeBytes(target.hostBytes()).writeBytes(CRLF);
        } else if (routeHost != null) {
            field(head, FORWARDED_HOST, routeHost);
        }
        if (upgrade) {
            field(head, UPGRADE, upgradeTo);
            head.writeBytes(CONNECTION_UPGRADE);
        }
        traceStart = head.writerIndex();
        if (traceContext) { // last, so that a traced request's can be replaced by the router's (RequestHead#withTraceContext)
            for (int i = 0, count = fields.count(); i < count; i++) {
                if (fields.kind(i) == HeaderFields.TRACE_CONTEXT) {
                    head.writeBytes(b, fields.nameStart(i), fields.valueEnd(i) - fields.nameStart(i)).writeBytes(CRLF);
                }
            }
        }
        fieldsEnd = head.writerIndex();
        return head.writeBytes(CRLF);
    }

    /** The fields that pass on, as they came but for the framing ones, which are written in their plain form. */
    private void writeFields(byte[] b, ByteBuf head) {
        for (int i = 0, count = fields.count(); i < count; i++) {
            int k = fields.kind(i);
            if (k == HeaderFields.CONTENT_LENGTH) {
                head.writeBytes(CONTENT_LENGTH).writeCharSequence(Long.toString(contentLength), StandardCharsets.US_ASCII);
                head.writeBytes(CRLF);
            } else if (k == HeaderFields.TRANSFER_ENCODING) {
                head.writeBytes(CHUNKED);
            } else if (k == HeaderFields.OTHER && !named(b, fields.nameStart(i), fields.nameEnd(i))
                    || k == HeaderFields.HOST && target.authority == null) {
                head.writeBytes(b, fields.nameStart(i), fields.valueEnd(i) - fields.nameStart(i)).writeBytes(CRLF);
            }
        }
    }

    /** Whether a body follows the head (else it is complete: no body, or a small one copied into {@code head}). */
    private boolean startBody(ByteBuf in, ByteBuf head) {
        if (transferEncoding) {
            state = State.BODY;
            body = chunked.start();
            return false;
        }
        if (contentLength > INLINE_BODY || contentLength > in.readableBytes()) {
            state = State.BODY;
            body = fixedLength.start(contentLength);
            return false;
        }
        if (contentLength > 0) { // a small body that came with its head goes in the same write
            head.writeBytes(in, (int) contentLength);
        }
        return true;
    }

    private static void field(ByteBuf head, byte[] nameAndColon, String value) {
        head.writeBytes(nameAndColon).writeCharSequence(value, StandardCharsets.ISO_8859_1);
        head.writeBytes(CRLF);
    }

    /** Whether the name from {@code from} to {@code to} is one the Connection header named. */
    private boolean named(byte[] b, int from, int to) {
        if (connectionNames != null) {
            for (String name : connectionNames) {
                if (nameIs(b, from, to - from, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
