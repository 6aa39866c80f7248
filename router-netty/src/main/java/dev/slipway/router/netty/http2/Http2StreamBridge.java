package dev.slipway.router.netty.http2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries one HTTP/2 stream through the router's HTTP/1.1 exchange, so that a request over HTTP/2 meets exactly the
 * admission, timeouts, metrics, drain and framing rules of one over HTTP/1.1 (the {@code RequestFramer} checks and
 * rewrites it as it does any other): inbound, the stream's request ({@code Http2StreamFrameToHttpObjectCodec}'s
 * objects) becomes HTTP/1.1 bytes (the body chunked unless its length is known), without the {@code x-http2-*}
 * fields Netty's conversion adds; outbound, the HTTP/1.1 response bytes the proxy writes become objects again, which
 * the codec sends as HEADERS and DATA frames (connection-specific fields dropped, trailers kept). An instance that speaks
 * HTTP/2 gets the exchange over a stream of its own ({@link Http2UpstreamBridge}).
 */
public final class Http2StreamBridge extends ChannelDuplexHandler {
    private final RequestBytes requestBytes = new RequestBytes();
    private final ResponseObjects responseObjects = new ResponseObjects();
    private final Cumulation cumulation = new Cumulation();
    private boolean headRequest;
    /** The stream's request was refused: the rest of it is dropped. */
    private boolean refused;
    /** A 1xx response was decoded: it goes out whole, without the empty end the decoder adds after it. */
    private boolean informational;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (refused) {
            ReferenceCountUtil.release(msg); // the rest of a refused request
            return;
        }
        if (msg instanceof HttpRequest request) {
            headRequest = HttpMethod.HEAD.equals(request.method());
            List<String> added = request.headers().names().stream().filter(n -> n.regionMatches(true, 0, "x-http2-", 0, 8)).toList();
            added.forEach(request.headers()::remove);
            String malformed = malformed(request);
            if (malformed != null) {
                refused = true;
                ReferenceCountUtil.release(msg);
                var answer = new DefaultFullHttpResponse(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                        io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST, io.netty.buffer.Unpooled.copiedBuffer(
                        "Bad request: " + malformed + ".\n", java.nio.charset.StandardCharsets.UTF_8));
                answer.headers().set("content-type", "text/plain; charset=utf-8").set("x-slipway-error", 400)
                        .setInt("content-length", answer.content().readableBytes());
                ctx.writeAndFlush(answer).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                return;
            }
        }
        List<Object> out = new ArrayList<>(2);
        requestBytes.encodeOne(ctx, msg, out); // takes the message over (Netty's encoder releases it)
        for (Object bytes : out) {
            ctx.fireChannelRead(bytes);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.write(msg, promise);
            return;
        }
        Cumulation.write(ctx, merged(cumulation.decode(ctx, bytes, responseObjects::decodeSome)), promise, true);
    }

    /**
     * Why a request cannot be carried as HTTP/1.1 safely (RFC 9113 §8.2.1, §8.3.1), or null: a method that is not a
     * token, a path that is not origin-form (or {@code *}) or holds whitespace or controls, field names that are not
     * lower-case tokens, values with CR, LF or NUL (each of which would let a request smuggle another into the
     * instance's connection), and connection-specific fields, which HTTP/2 forbids.
     */
    static String malformed(HttpRequest request) {
        String method = request.method().name();
        if (method.isEmpty() || !method.chars().allMatch(Http2StreamBridge::tchar)) {
            return "the method is not a token";
        }
        String path = request.uri();
        if (path.isEmpty() || !(path.startsWith("/") || path.equals("*") && method.equals("OPTIONS"))
                || path.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return "the :path is not a path (origin form, no whitespace or control characters)";
        }
        for (var field : request.headers()) {
            String name = field.getKey();
            if (name.isEmpty() || !name.chars().allMatch(c -> tchar(c) && !(c >= 'A' && c <= 'Z'))) {
                return "a field name is not a lower-case token";
            }
            String value = field.getValue();
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
                return "field " + name + " has a CR, LF or NUL in its value";
            }
            if (CONNECTION_SPECIFIC.contains(name) && !(name.equals("te") && value.equalsIgnoreCase("trailers"))) {
                return "field " + name + " is connection-specific, which HTTP/2 does not allow";
            }
        }
        return null;
    }

    private static final java.util.Set<String> CONNECTION_SPECIFIC = java.util.Set.of("connection", "keep-alive",
            "proxy-connection", "upgrade", "te");

    private static boolean tchar(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /**
     * Responses of 1xx as whole responses (the codec sends them as a HEADERS frame that does not end the stream), and a
     * response whose end came with its head (no body: {@code content-length: 0}, a 204, an answer to HEAD) as one
     * HEADERS frame that ends the stream, as gRPC's trailers-only answer must be.
     */
    private List<Object> merged(List<Object> decoded) {
        List<Object> objects = new ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            Object o = decoded.get(i);
            if (o instanceof HttpResponse r && !(o instanceof LastHttpContent)
                    && r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                informational = true;
                objects.add(new DefaultFullHttpResponse(r.protocolVersion(), r.status(), io.netty.buffer.Unpooled.EMPTY_BUFFER,
                        r.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
            } else if (informational && o instanceof LastHttpContent end) {
                informational = false;
                end.release();
            } else if (o instanceof HttpResponse r && !(o instanceof LastHttpContent) && i + 1 < decoded.size()
                    && decoded.get(i + 1) instanceof LastHttpContent end && !end.content().isReadable() && end.trailingHeaders().isEmpty()) {
                end.release();
                i++;
                objects.add(new DefaultFullHttpResponse(r.protocolVersion(), r.status(), io.netty.buffer.Unpooled.EMPTY_BUFFER,
                        r.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE));
            } else {
                objects.add(o);
            }
        }
        return objects;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cumulation.release();
    }

    /** Netty's HTTP/1.1 request encoding, called for one object at a time. */
    private static final class RequestBytes extends HttpRequestEncoder {
        /** Encodes {@code msg} and releases it. */
        void encodeOne(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            super.encode(ctx, msg, out);
        }
    }

    /** Netty's HTTP/1.1 response decoding over bytes the proxy writes; a response to HEAD has no body. */
    private final class ResponseObjects extends HttpResponseDecoder {
        ResponseObjects() {
            super(new HttpDecoderConfig().setMaxInitialLineLength(8192).setMaxHeaderSize(65536).setMaxChunkSize(65536));
        }

        void decodeSome(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            super.decode(ctx, in, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            return headRequest && msg instanceof HttpResponse r && r.status().codeClass() != HttpStatusClass.INFORMATIONAL
                    || super.isContentAlwaysEmpty(msg);
        }
    }
}
