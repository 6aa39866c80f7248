package dev.slipway.router.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Responses read by Netty's own decoder, with Slipway's rules on top, re-encoded by Netty's encoder for the client: the
 * same messages as {@link ResponseFramer} emits, so the proxy handlers serve either. {@code -Dslipway.router.http=codec}
 * chooses it.
 */
final class CodecResponses extends HttpResponseDecoder implements ResponseReader {
    private static final int INLINE_BODY = 4 * 1024;

    /** Netty's encoder, called directly, told when the response answers a HEAD request. */
    private final class Encoder extends HttpResponseEncoder {
        void encodeTo(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
            encode(ctx, msg, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            return headRequest || super.isContentAlwaysEmpty(msg);
        }
    }

    private final Encoder encoder = new Encoder();
    private final List<Object> decoded = new ArrayList<>(4);
    private final List<Object> encoded = new ArrayList<>(4);
    private boolean expecting;
    private boolean headRequest;
    private boolean clientKeepAlive;
    /** An interim response is being skipped. */
    private boolean interim;

    CodecResponses() {
        super(CodecRequests.config(8192, 64 * 1024));
    }

    @Override
    public void expect(boolean headRequest, boolean clientKeepAlive) {
        this.headRequest = headRequest;
        this.clientKeepAlive = clientKeepAlive;
        this.expecting = true;
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        return headRequest || super.isContentAlwaysEmpty(msg);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        throw new IllegalArgumentException("the instance's response has both Content-Length and Transfer-Encoding");
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!expecting) { // bytes nobody asked for: the connection cannot be trusted with another request
            in.skipBytes(in.readableBytes());
            ctx.close();
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
                if (o instanceof HttpResponse response) {
                    Object next = i + 1 < decoded.size() ? decoded.get(i + 1) : null;
                    if (head(ctx, response, next, out)) {
                        i++;
                    }
                } else if (interim) {
                    interim = !(o instanceof LastHttpContent);
                    ReferenceCountUtil.release(o);
                } else {
                    HttpContent content = (HttpContent) o;
                    encoder.encodeTo(ctx, content, out); // the encoder releases what it encodes
                    if (content instanceof LastHttpContent) {
                        expecting = false;
                        out.add(ResponseFramer.END);
                    }
                }
            }
        } catch (RuntimeException e) {
            for (Object o : decoded) {
                ReferenceCountUtil.release(o);
            }
            throw e;
        } finally {
            decoded.clear();
        }
    }

    /** Emits the head of {@code response}; returns whether {@code next}, its whole body, went with it. */
    private boolean head(ChannelHandlerContext ctx, HttpResponse response, Object next, List<Object> out) throws Exception {
        if (response.decoderResult().isFailure()) {
            throw new DecoderException("the instance's response is malformed: " + response.decoderResult().cause().getMessage());
        }
        int status = response.status().code();
        if (status >= 100 && status < 200) { // interim (100 Continue, 103 Early Hints): the final response follows
            interim = true;
            return false;
        }
        HttpHeaders h = response.headers();
        boolean close = !HttpUtil.isKeepAlive(response);
        for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
            for (String option : value.split(",")) {
                String name = option.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !name.equals("close") && !name.equals("keep-alive") && !name.equals("content-length")
                        && !name.equals("transfer-encoding")) {
                    h.remove(name);
                }
            }
        }
        h.remove(HttpHeaderNames.CONNECTION).remove(HttpHeaderNames.KEEP_ALIVE);
        boolean bodiless = headRequest || status == 204 || status == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean closesClient = false;
        if (!bodiless && !chunked && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) { // delimited by the instance closing
            close = true;
            if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                closesClient = true;
            } else {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (!clientKeepAlive || closesClient) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        boolean whole = next instanceof LastHttpContent last && last.content().readableBytes() <= INLINE_BODY;
        encoded.clear();
        if (whole) {
            LastHttpContent last = (LastHttpContent) next;
            encoder.encodeTo(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(), last.content(), h,
                    last.trailingHeaders()), encoded);
            expecting = false;
        } else {
            encoder.encodeTo(ctx, response, encoded);
        }
        out.add(new ResponseFramer.Head(status, CodecRequests.one(ctx, encoded), !close, closesClient, whole));
        return whole;
    }
}
