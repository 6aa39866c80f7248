package dev.slipway.router.netty;

import dev.slipway.core.routing.RoutingSnapshot;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Requests read by Netty's own decoder, with Slipway's rules on top, re-encoded by Netty's encoder: the same messages
 * as {@link RequestFramer} emits ({@link RequestFramer.Head}, body bytes, {@link RequestFramer#END}, {@link
 * RequestFramer.Refused}), so the proxy handlers serve either. {@code -Dslipway.router.http=codec} chooses it.
 */
final class CodecRequests extends HttpRequestDecoder {
    private static final int INLINE_BODY = 4 * 1024;
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

    static HttpDecoderConfig config(int maxLine, int maxHeaders) {
        return new HttpDecoderConfig().setMaxInitialLineLength(maxLine).setMaxHeaderSize(maxHeaders)
                .setMaxChunkSize(64 * 1024).setStrictLineParsing(true).setUseRfc9112TransferEncoding(true)
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(true).withValueValidation(true));
    }

    /** Netty's encoder, called directly (not in the pipeline) to turn the rewritten request into bytes. */
    private static final class Encoder extends HttpRequestEncoder {
        void encodeTo(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
            encode(ctx, msg, out);
        }
    }

    private final Encoder encoder = new Encoder();
    private final List<Object> decoded = new ArrayList<>(4);
    private final List<Object> encoded = new ArrayList<>(4);
    private final String clientAddress;
    private final String fixedHost;
    private boolean refused;
    private String lastHost;
    private String lastRouteKey;

    CodecRequests(String clientAddress, String fixedHost) {
        super(config(4096, 8192));
        this.clientAddress = clientAddress;
        this.fixedHost = fixedHost;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            int before = in.readableBytes();
            int n = decoded.size();
            super.decode(ctx, in, decoded);
            if (decoded.size() == n && in.readableBytes() == before) {
                break;
            }
        }
        translate(ctx, out);
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        List<Object> tail = new ArrayList<>();
        super.decodeLast(ctx, in, tail);
        for (Object o : tail) {
            if (o instanceof HttpObject) {
                decoded.add(o);
            } else {
                out.add(o);
            }
        }
        translate(ctx, out);
    }

    private void translate(ChannelHandlerContext ctx, List<Object> out) throws Exception {
        try {
            for (int i = 0; i < decoded.size(); i++) {
                Object o = decoded.get(i);
                if (refused) {
                    ReferenceCountUtil.release(o);
                } else if (o instanceof HttpRequest request) {
                    Object next = i + 1 < decoded.size() ? decoded.get(i + 1) : null;
                    if (head(ctx, request, next, out)) {
                        i++;
                    }
                } else {
                    HttpContent content = (HttpContent) o;
                    encoder.encodeTo(ctx, content, out); // the encoder releases what it encodes
                    if (content instanceof LastHttpContent) {
                        out.add(RequestFramer.END);
                    }
                }
            }
        } finally {
            decoded.clear();
        }
    }

    /** Emits the head of {@code request}; returns whether {@code next}, its whole body, went with it. */
    private boolean head(ChannelHandlerContext ctx, HttpRequest request, Object next, List<Object> out) throws Exception {
        String routeKey;
        try {
            routeKey = check(request);
        } catch (RequestFramer.Bad e) {
            refused = true;
            ReferenceCountUtil.release(request);
            out.add(new RequestFramer.Refused(e.status, "Bad request: " + e.getMessage()));
            return false;
        }
        HttpHeaders h = request.headers();
        boolean http11 = request.protocolVersion().minorVersion() == 1;
        boolean keepAlive = rewrite(request, http11);
        String expect = h.get(HttpHeaderNames.EXPECT);
        h.remove(HttpHeaderNames.EXPECT);
        boolean headRequest = request.method().equals(HttpMethod.HEAD);
        boolean whole = next instanceof LastHttpContent last && last.content().readableBytes() <= INLINE_BODY
                && !h.contains(HttpHeaderNames.TRANSFER_ENCODING);
        encoded.clear();
        if (whole) {
            LastHttpContent last = (LastHttpContent) next;
            encoder.encodeTo(ctx, new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(), request.uri(), last.content(),
                    h, last.trailingHeaders()), encoded);
        } else {
            encoder.encodeTo(ctx, request, encoded);
        }
        ByteBuf bytes = one(ctx, encoded);
        out.add(new RequestFramer.Head(headRequest, routeKey, keepAlive, expect, bytes, whole));
        return whole;
    }

    /** The encoder's buffers as one. */
    static ByteBuf one(ChannelHandlerContext ctx, List<Object> buffers) {
        if (buffers.size() == 1) {
            return (ByteBuf) buffers.get(0);
        }
        int size = 0;
        for (Object b : buffers) {
            size += ((ByteBuf) b).readableBytes();
        }
        ByteBuf all = ctx.alloc().buffer(size);
        for (Object b : buffers) {
            all.writeBytes((ByteBuf) b);
            ((ByteBuf) b).release();
        }
        return all;
    }

    /** Slipway's rules Netty's decoder does not apply; returns the route key. */
    private String check(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
            throw new RequestFramer.Bad(status, String.valueOf(cause.getMessage()));
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            throw new RequestFramer.Bad(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "the router speaks HTTP/1.1 and HTTP/1.0.");
        }
        HttpHeaders h = request.headers();
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            throw new RequestFramer.Bad("more than one Host header.");
        }
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (!te.isEmpty() && (te.size() > 1 || !te.get(0).equalsIgnoreCase("chunked"))) {
            throw new RequestFramer.Bad("Transfer-Encoding must be exactly 'chunked'; the router accepts no other transfer coding.");
        }
        if (!te.isEmpty() && h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            throw new RequestFramer.Bad("a request with both Content-Length and Transfer-Encoding cannot be forwarded safely.");
        }
        if (!te.isEmpty() && version.minorVersion() == 0) {
            throw new RequestFramer.Bad("HTTP/1.0 has no Transfer-Encoding.");
        }
        String uri = request.uri();
        String authority = null;
        if (!uri.startsWith("/") && !uri.equals("*")) {
            if (!uri.regionMatches(true, 0, "http://", 0, 7) && !uri.regionMatches(true, 0, "https://", 0, 8)) {
                throw new RequestFramer.Bad("the request target must be a path (or an absolute http URI).");
            }
            try {
                URI parsed = new URI(uri);
                if (parsed.getRawAuthority() == null || parsed.getRawUserInfo() != null) {
                    throw new RequestFramer.Bad("an absolute request target needs a host and no user information.");
                }
                String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
                request.setUri(parsed.getRawQuery() == null ? path : path + "?" + parsed.getRawQuery());
                authority = parsed.getRawAuthority();
                h.set(HttpHeaderNames.HOST, authority);
            } catch (URISyntaxException e) {
                throw new RequestFramer.Bad("the request target is not a valid URI (" + e.getReason() + ").");
            }
        }
        String host = authority != null ? authority : hosts.isEmpty() ? null : hosts.get(0);
        if (host == null) {
            if (fixedHost != null) {
                h.set(HttpHeaderNames.HOST, fixedHost);
            }
            return null;
        }
        if (authority == null && host.equals(lastHost)) {
            return lastRouteKey;
        }
        try {
            String key = RoutingSnapshot.normalizeHost(host);
            if (authority == null) {
                lastHost = host;
                lastRouteKey = key;
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new RequestFramer.Bad("the Host header is not a host name with an optional port (" + e.getMessage() + ").");
        }
    }

    /** The head the instance gets: HTTP/1.1, no hop-by-hop headers, X-Forwarded-*; returns whether the client keeps the connection. */
    private boolean rewrite(HttpRequest request, boolean http11) {
        HttpHeaders h = request.headers();
        boolean close = false;
        boolean keepAliveToken = false;
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String option : value.split(",")) {
                String o = option.trim().toLowerCase(Locale.ROOT);
                if (o.equals("close")) {
                    close = true;
                } else if (o.equals("keep-alive")) {
                    keepAliveToken = true;
                } else if (!o.isEmpty() && !o.equals("content-length") && !o.equals("host") && !o.equals("transfer-encoding")) {
                    h.remove(o);
                }
            }
        }
        h.remove(HttpHeaderNames.CONNECTION).remove(HttpHeaderNames.KEEP_ALIVE).remove(HttpHeaderNames.TE)
                .remove(HttpHeaderNames.TRAILER).remove(HttpHeaderNames.UPGRADE).remove(X_FORWARDED_HOST)
                .remove(X_FORWARDED_PROTO);
        List<String> proxy = null;
        for (var field : h) {
            if (field.getKey().regionMatches(true, 0, "proxy-", 0, 6)) {
                (proxy = proxy == null ? new ArrayList<>() : proxy).add(field.getKey());
            }
        }
        if (proxy != null) {
            proxy.forEach(h::remove);
        }
        String forwardedFor = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
        h.set(X_FORWARDED_PROTO, "http");
        String host = h.get(HttpHeaderNames.HOST);
        if (host != null) {
            h.set(X_FORWARDED_HOST, host);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        return http11 ? !close : keepAliveToken && !close;
    }
}
