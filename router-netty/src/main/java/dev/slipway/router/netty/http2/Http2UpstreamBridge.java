package dev.slipway.router.netty.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries the router's HTTP/1.1 exchange over one HTTP/2 stream to an instance that speaks HTTP/2 cleartext (a gRPC
 * server): the mirror of {@link Http2StreamBridge}. Outbound, the request bytes the proxy writes (framed and rewritten
 * by the {@code RequestFramer}) become objects again, which {@code Http2StreamFrameToHttpObjectCodec} sends as HEADERS
 * and DATA frames (with {@code te: trailers}, which gRPC servers expect; connection-specific fields dropped);
 * inbound, the stream's response becomes HTTP/1.1 bytes for the {@code ResponseFramer}: chunked unless its length is
 * known, its trailers (gRPC's {@code grpc-status}) as the chunked body's trailer section, and a response that ended
 * with its headers (gRPC's trailers-only answer) as one with {@code content-length: 0}.
 */
public final class Http2UpstreamBridge extends ChannelDuplexHandler {
    private final RequestObjects requestObjects = new RequestObjects();
    private final ResponseBytes responseBytes = new ResponseBytes();
    private final Cumulation cumulation = new Cumulation();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.write(msg, promise);
            return;
        }
        Cumulation.write(ctx, merged(cumulation.decode(ctx, bytes, requestObjects::decodeSome)), promise, false);
    }

    /** The request's fields as HTTP/2 has them; a request without a body as one HEADERS frame that ends the stream. */
    private static List<Object> merged(List<Object> decoded) {
        List<Object> objects = new ArrayList<>(decoded.size());
        for (int i = 0; i < decoded.size(); i++) {
            Object o = decoded.get(i);
            if (o instanceof HttpRequest request && !(o instanceof LastHttpContent)) {
                HttpHeaders h = request.headers();
                h.remove(HttpHeaderNames.CONNECTION).remove(HttpHeaderNames.KEEP_ALIVE).remove(HttpHeaderNames.TRANSFER_ENCODING)
                        .remove(HttpHeaderNames.UPGRADE).remove(HttpHeaderNames.PROXY_CONNECTION)
                        .set(HttpHeaderNames.TE, "trailers"); // the router passes trailers on (RFC 9113 §8.2.2)
                if (i + 1 < decoded.size() && decoded.get(i + 1) instanceof LastHttpContent end && !end.content().isReadable()
                        && end.trailingHeaders().isEmpty()) {
                    end.release();
                    i++;
                    objects.add(new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                            Unpooled.EMPTY_BUFFER, h, end.trailingHeaders()));
                    continue;
                }
            }
            objects.add(o);
        }
        return objects;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg); // a frame the codec does not turn into HTTP (the stream's reset closes it)
            return;
        }
        if (msg instanceof HttpResponse response) {
            msg = framed(response);
        }
        List<Object> out = new ArrayList<>(2);
        responseBytes.encodeOne(ctx, msg, out); // takes the message over (Netty's encoder releases it)
        for (Object bytes : out) {
            ctx.fireChannelRead(bytes);
        }
    }

    /**
     * The response as HTTP/1.1 frames it: without Netty's {@code x-http2-*} fields; an informational one whole; one
     * that ended with its headers with {@code content-length: 0} (when its status allows a body).
     */
    private static HttpResponse framed(HttpResponse response) {
        HttpHeaders h = response.headers();
        List<String> added = h.names().stream().filter(n -> n.regionMatches(true, 0, "x-http2-", 0, 8)).toList();
        added.forEach(h::remove);
        int code = response.status().code();
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
            if (!(response instanceof FullHttpResponse)) {
                return new DefaultFullHttpResponse(response.protocolVersion(), response.status(), Unpooled.EMPTY_BUFFER, h,
                        io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            }
        } else if (response instanceof FullHttpResponse && code != 204 && code != 304 && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        }
        return response;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cumulation.release();
    }

    /** Netty's HTTP/1.1 request decoding over the bytes the proxy writes. */
    private static final class RequestObjects extends HttpRequestDecoder {
        RequestObjects() {
            super(new HttpDecoderConfig().setMaxInitialLineLength(65536).setMaxHeaderSize(65536).setMaxChunkSize(65536));
        }

        void decodeSome(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            super.decode(ctx, in, out);
        }
    }

    /** Netty's HTTP/1.1 response encoding, called for one object at a time. */
    private static final class ResponseBytes extends HttpResponseEncoder {
        void encodeOne(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            super.encode(ctx, msg, out);
        }
    }
}
