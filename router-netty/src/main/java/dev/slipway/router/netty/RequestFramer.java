package dev.slipway.router.netty;

import static dev.slipway.router.netty.HeadBytes.CLOSE;
import static dev.slipway.router.netty.HeadBytes.CR;
import static dev.slipway.router.netty.HeadBytes.KEEP_ALIVE;
import static dev.slipway.router.netty.HeadBytes.connectionOptions;
import static dev.slipway.router.netty.HeadBytes.CRLF;
import static dev.slipway.router.netty.HeadBytes.LF;
import static dev.slipway.router.netty.HeadBytes.digits;
import static dev.slipway.router.netty.HeadBytes.indexOf;
import static dev.slipway.router.netty.HeadBytes.nameIs;
import static dev.slipway.router.netty.HeadBytes.regionIs;

import dev.slipway.core.routing.RoutingSnapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.DefaultByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Frames what a client sends without decoding it into objects. Each request head is checked strictly (RFC 9112 §2-§7,
 * RFC 9110 §5, §7.6: a proxy must refuse whatever an instance behind it could frame or read differently) and rewritten
 * into the head the instance gets: origin-form target, HTTP/1.1, no hop-by-hop headers (Connection and the headers it
 * names, Keep-Alive, TE, Trailer, Upgrade, Expect, Proxy-*), and X-Forwarded-For/-Proto/-Host. The body passes
 * through as it came, delimited by Content-Length or chunked. Per request it emits a {@link Head}, body bytes, then
 * {@link #END} (a head with no body, or with a small one that came with it, is {@link Head#complete()}). A request
 * that cannot be forwarded safely becomes a {@link Refused}, after which the connection's input is ignored.
 */
final class RequestFramer extends ByteToMessageDecoder {
    /**
     * A request head: what the router routes by (the Host, or the absolute target's authority, normalized; null if the
     * request names none), and the bytes the instance gets ({@link #content()}).
     */
    static final class Head extends DefaultByteBufHolder {
        final boolean headRequest;
        final String host;
        final boolean keepAlive;
        /** The Expect header's value, or null. */
        final String expect;
        /** No body follows (or a small one is in these bytes). */
        final boolean complete;

        Head(boolean headRequest, String host, boolean keepAlive, String expect, ByteBuf bytes, boolean complete) {
            super(bytes);
            this.headRequest = headRequest;
            this.host = host;
            this.keepAlive = keepAlive;
            this.expect = expect;
            this.complete = complete;
        }
    }

    /** A request the router answers with {@code status} and a closed connection. */
    record Refused(HttpResponseStatus status, String message) {
    }

    /** Follows the last body bytes of a request. */
    static final Object END = new Object() {
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
    private static final byte[] FORWARDED_FOR = "x-forwarded-for: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FORWARDED_HOST = "x-forwarded-host: ".getBytes(StandardCharsets.US_ASCII);
    private enum State { HEAD, BODY, REFUSED }

    /** The end of the X-Forwarded-For line (the client's address) and the X-Forwarded-Proto line; the same, whole. */
    private final byte[] clientAddressAndProto;
    private final byte[] forwardedForAndProto;
    /** On a service's direct port: the host every request goes to (a request there needs no Host). */
    private final String fixedHost;
    private final ChunkedBody chunked = new ChunkedBody("the request's");
    private State state = State.HEAD;
    private final Body.Length fixedLength = new Body.Length();
    private Body body;
    private final HeadBytes bytes = new HeadBytes();
    private final HeaderFields fields = new HeaderFields();
    /** The last Host value this connection sent, as bytes and as a String, and its route key once normalized. */
    private byte[] lastHostBytes;
    private String lastHost;
    private String lastRouteKey;
    RequestFramer(String clientAddress, String fixedHost) {
        this.clientAddressAndProto = (clientAddress + "\r\n" + "x-forwarded-proto: http\r\n").getBytes(StandardCharsets.ISO_8859_1);
        this.forwardedForAndProto = ("x-forwarded-for: " + clientAddress + "\r\n" + "x-forwarded-proto: http\r\n").getBytes(StandardCharsets.ISO_8859_1);
        this.fixedHost = fixedHost;
    }

    /** Why a request cannot be forwarded. */
    static final class Bad extends RuntimeException {
        final HttpResponseStatus status;

        Bad(HttpResponseStatus status, String message) {
            super(message, null, false, false);
            this.status = status;
        }

        Bad(String message) {
            this(HttpResponseStatus.BAD_REQUEST, message);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case HEAD -> {
                    try {
                        if (!head(ctx.alloc(), in, out)) {
                            return;
                        }
                    } catch (Bad e) {
                        state = State.REFUSED;
                        out.add(new Refused(e.status, "Bad request: " + e.getMessage()));
                    }
                }
                case BODY -> {
                    boolean ended;
                    try {
                        ended = Body.relay(body, in, out);
                    } catch (DecoderException e) { // a malformed chunk: the connection closes, nothing more is read
                        state = State.REFUSED;
                        in.skipBytes(in.readableBytes());
                        throw e;
                    }
                    if (!ended) {
                        return;
                    }
                    end(out);
                }
                default -> { // REFUSED: the connection closes after the answer
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    private void end(List<Object> out) {
        out.add(END);
        state = State.HEAD;
    }

    /** Parses a whole head once it is there; returns false while more bytes are needed. */
    private boolean head(ByteBufAllocator alloc, ByteBuf in, List<Object> out) {
        while (in.isReadable() && (in.getByte(in.readerIndex()) == CR || in.getByte(in.readerIndex()) == LF)) {
            in.skipBytes(1); // RFC 9112 §2.2: empty lines before a request line are ignored
        }
        int available = Math.min(in.readableBytes(), MAX_REQUEST_LINE + MAX_HEADERS + 4);
        int length = bytes.copy(in, Math.min(available, 2048));
        int headEnd = bytes.endOfHead(length);
        if (headEnd < 0 && available > length) {
            length = bytes.copy(in, available);
            headEnd = bytes.endOfHead(length);
        }
        byte[] b = bytes.array();
        int lf = headEnd >= 0 ? bytes.lineFeed(0) : indexOf(b, 0, length, LF);
        if (lf < 0 && length > MAX_REQUEST_LINE || lf > MAX_REQUEST_LINE) {
            throw new Bad(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is longer than " + MAX_REQUEST_LINE + " bytes.");
        }
        if (headEnd < 0 || headEnd - lf > MAX_HEADERS + 2) {
            if (headEnd >= 0 || length - lf > MAX_HEADERS) {
                throw new Bad(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the header section is longer than " + MAX_HEADERS + " bytes.");
            }
            return false;
        }
        if (lf == 0 || b[lf - 1] != CR) { // header lines are checked as HeaderFields splits them
            throw new Bad(HeaderFields.BARE_LF);
        }
        // request line: method SP target SP version
        int lineEnd = lf - 1;
        int sp1 = 0;
        while (sp1 < lineEnd && HeaderFields.isToken(b[sp1])) {
            sp1++;
        }
        if (sp1 == 0 || sp1 >= lineEnd || b[sp1] != ' ') {
            throw new Bad("the request line does not begin with a method and one space.");
        }
        int sp2 = sp1 + 1;
        while (sp2 < lineEnd && b[sp2] > ' ' && b[sp2] < 127) {
            sp2++;
        }
        if (sp2 == sp1 + 1 || sp2 >= lineEnd || b[sp2] != ' ') {
            throw new Bad("the request target must be followed by one space, and have no spaces, controls or non-ASCII bytes.");
        }
        if (lineEnd - sp2 - 1 < 5 || !regionIs(b, sp2 + 1, "HTTP/") || indexOf(b, sp2 + 1, lineEnd, (byte) ' ') >= 0) {
            throw new Bad("the request line must end in the HTTP version after one space.");
        }
        if (lineEnd - sp2 - 1 != 8 || !regionIs(b, sp2 + 1, "HTTP/1.")) {
            throw new Bad(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "the router speaks HTTP/1.1 and HTTP/1.0.");
        }
        boolean http11 = b[lineEnd - 1] == '1';
        if (!http11 && b[lineEnd - 1] != '0') {
            throw new Bad(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "the router speaks HTTP/1.1 and HTTP/1.0.");
        }
        int count = fields.parse(bytes, headEnd);
        // what the fields say
        String host = null;
        long contentLength = -1;
        boolean transferEncoding = false;
        boolean close = false;
        boolean keepAliveToken = false;
        String expect = null;
        String forwardedFor = null;
        List<String> connectionNames = null;
        for (int i = 0; i < count; i++) {
            int k = fields.kind(i);
            int vs = fields.valueStart(i);
            int ve = fields.valueEnd(i);
            switch (k) {
                case HeaderFields.HOST -> {
                    if (host != null) {
                        throw new Bad("more than one Host header.");
                    }
                    host = host(b, vs, ve);
                }
                case HeaderFields.CONTENT_LENGTH -> {
                    if (contentLength >= 0) {
                        throw new Bad("more than one Content-Length header.");
                    }
                    contentLength = digits(b, vs, ve);
                    if (contentLength < 0) {
                        throw new Bad("Content-Length must be a number of bytes.");
                    }
                }
                case HeaderFields.TRANSFER_ENCODING -> {
                    if (transferEncoding || ve - vs != 7 || !nameIs(b, vs, 7, "chunked")) {
                        throw new Bad("Transfer-Encoding must be exactly 'chunked' (got '"
                                + new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1) + "'); the router accepts no other transfer coding.");
                    }
                    transferEncoding = true;
                }
                case HeaderFields.CONNECTION -> {
                    if (connectionNames == null) {
                        connectionNames = new ArrayList<>(2);
                    }
                    int options = connectionOptions(b, vs, ve, connectionNames);
                    close |= (options & CLOSE) != 0;
                    keepAliveToken |= (options & KEEP_ALIVE) != 0;
                }
                case HeaderFields.EXPECT -> expect = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
                case HeaderFields.X_FORWARDED_FOR -> {
                    if (forwardedFor == null) {
                        forwardedFor = new String(b, vs, ve - vs, StandardCharsets.ISO_8859_1);
                    }
                }
                default -> {
                }
            }
        }
        if (transferEncoding && contentLength >= 0) {
            throw new Bad("a request with both Content-Length and Transfer-Encoding cannot be forwarded safely.");
        }
        if (transferEncoding && !http11) {
            throw new Bad("HTTP/1.0 has no Transfer-Encoding.");
        }
        // the target: origin form (or '*'), or absolute form whose authority replaces Host
        String authority = null;
        String originTarget = null;
        if (b[sp1 + 1] != '/' && !(sp2 - sp1 == 2 && b[sp1 + 1] == '*')) {
            String target = new String(b, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
            if (!target.regionMatches(true, 0, "http://", 0, 7) && !target.regionMatches(true, 0, "https://", 0, 8)) {
                throw new Bad("the request target must be a path (or an absolute http URI).");
            }
            try {
                URI uri = new URI(target);
                if (uri.getRawAuthority() == null || uri.getRawUserInfo() != null) {
                    throw new Bad("an absolute request target needs a host and no user information.");
                }
                String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
                originTarget = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
                authority = uri.getRawAuthority();
            } catch (URISyntaxException e) {
                throw new Bad("the request target is not a valid URI (" + e.getReason() + ").");
            }
        }
        String routeHost = authority != null ? authority : host != null ? host : fixedHost;
        String routeKey = null; // what the router routes by: the host in lower case, without port or trailing dot
        if (authority == null && host != null && lastRouteKey != null) {
            routeKey = lastRouteKey; // a kept-alive connection names the same host in every request
        } else if (authority != null || host != null) {
            try {
                routeKey = RoutingSnapshot.normalizeHost(routeHost);
                if (authority == null) {
                    lastRouteKey = routeKey;
                }
            } catch (IllegalArgumentException e) {
                throw new Bad("the Host header is not a host name with an optional port (" + e.getMessage() + ").");
            }
        }
        // the head the instance gets
        ByteBuf head = alloc.buffer(headEnd + 128);
        head.writeBytes(b, 0, sp1 + 1);
        if (originTarget != null) {
            head.writeCharSequence(originTarget, StandardCharsets.ISO_8859_1);
        } else {
            head.writeBytes(b, sp1 + 1, sp2 - sp1 - 1);
        }
        head.writeBytes(HTTP_1_1);
        for (int i = 0; i < count; i++) {
            int k = fields.kind(i);
            boolean replaced = k == HeaderFields.HOST && authority != null;
            boolean named = k == HeaderFields.OTHER && connectionNames != null
                    && named(b, fields.nameStart(i), fields.nameEnd(i), connectionNames);
            if (k == HeaderFields.DROPPED || k == HeaderFields.CONNECTION || k == HeaderFields.EXPECT || k == HeaderFields.X_FORWARDED_FOR
                    || replaced || named) {
                continue;
            }
            head.writeBytes(b, fields.nameStart(i), fields.valueEnd(i) - fields.nameStart(i)).writeBytes(CRLF);
        }
        if (routeHost != null && (authority != null || host == null)) {
            field(head, HOST_FIELD, routeHost);
        }
        if (forwardedFor != null) {
            head.writeBytes(FORWARDED_FOR).writeCharSequence(forwardedFor, StandardCharsets.ISO_8859_1);
            head.writeByte(',').writeByte(' ');
        }
        head.writeBytes(forwardedFor != null ? clientAddressAndProto : forwardedForAndProto);
        if (authority == null && host != null) { // the Host header's value, as it came
            head.writeBytes(FORWARDED_HOST).writeBytes(lastHostBytes).writeBytes(CRLF);
        } else if (routeHost != null) {
            field(head, FORWARDED_HOST, routeHost);
        }
        head.writeBytes(CRLF);
        in.skipBytes(headEnd);
        boolean complete = true;
        if (transferEncoding) {
            state = State.BODY;
            body = chunked.start();
            complete = false;
        } else if (contentLength > INLINE_BODY || contentLength > in.readableBytes()) {
            state = State.BODY;
            body = fixedLength.start(contentLength);
            complete = false;
        } else if (contentLength > 0) { // a small body that came with its head goes in the same write
            head.writeBytes(in, (int) contentLength);
        }
        boolean headRequest = sp1 == 4 && regionIs(b, 0, "HEAD");
        boolean keepAlive = http11 ? !close : keepAliveToken && !close;
        out.add(new Head(headRequest, routeKey, keepAlive, expect, head, complete));
        return true;
    }

    /**
     * The Host value from {@code from} to {@code to}, kept as {@link #lastHost} and {@link #lastHostBytes}: the same
     * String as the last request's when the bytes are (its route key, once normalized, is then reused too).
     */
    private String host(byte[] b, int from, int to) {
        if (lastHost != null && Arrays.equals(b, from, to, lastHostBytes, 0, lastHostBytes.length)) {
            return lastHost;
        }
        lastHostBytes = Arrays.copyOfRange(b, from, to);
        lastHost = new String(lastHostBytes, StandardCharsets.ISO_8859_1);
        lastRouteKey = null;
        return lastHost;
    }

    private static void field(ByteBuf head, byte[] nameAndColon, String value) {
        head.writeBytes(nameAndColon).writeCharSequence(value, StandardCharsets.ISO_8859_1);
        head.writeBytes(CRLF);
    }

    /** Whether the name from {@code from} to {@code to} is one of {@code lowerNames}. */
    private static boolean named(byte[] b, int from, int to, List<String> lowerNames) {
        for (String name : lowerNames) {
            if (nameIs(b, from, to - from, name)) {
                return true;
            }
        }
        return false;
    }

}
