package dev.slipway.router.netty.http2;

import dev.slipway.router.netty.http1.ChunkedBody;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Carries one HTTP/2 stream through the router's HTTP/1.1 exchange, so that a request over HTTP/2 meets exactly the
 * admission, timeouts, metrics, drain and framing rules of one over HTTP/1.1 (the {@code RequestFramer} checks and
 * rewrites it as it does any other). Inbound, the stream's HEADERS and DATA frames become HTTP/1.1 bytes directly:
 * the request line from {@code :method} and {@code :path}, {@code host} from {@code :authority}, the fields as they
 * came (cookies joined, RFC 9113 §8.2.3), the body chunked unless its length is known and trailers as the chunked
 * body's trailer section. Outbound, the HTTP/1.1 response bytes the proxy writes (a head the {@code ResponseFramer}
 * wrote, then its body) become HEADERS and DATA frames (connection-specific fields dropped, names lower-case, a chunked
 * body's data without its framing, its trailers as a HEADERS frame that ends the stream), and the router's own
 * answers ({@link FullHttpResponse}) become frames as they are. An instance that speaks HTTP/2 gets the exchange over a
 * stream of its own ({@link Http2UpstreamBridge}).
 */
public final class Http2StreamBridge {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_1_1 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST = "host: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COOKIE_FIELD = "cookie: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final Set<AsciiString> CONNECTION_SPECIFIC = Set.of(AsciiString.cached("connection"),
            AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"), AsciiString.cached("upgrade"),
            AsciiString.cached("te"), TRANSFER_ENCODING);

    /** The request's head went on; whether its body is chunked for the instance; whether it asked with HEAD. */
    private boolean headSent;
    private boolean chunkedRequest;
    private boolean headRequest;
    /** The stream's request was refused: the rest of it is dropped. */
    private boolean refused;

    /** Where the response is: its head not written yet, a body of known length, a chunked body, one without end, done. */
    private enum Part { HEAD, LENGTH, CHUNKED, UNTIL_END, DONE }

    private Part part = Part.HEAD;
    private long remaining;
    private final ChunkedBody chunked = new ChunkedBody("the instance's");
    private final Cumulation cumulation = new Cumulation();

    /**
     * Adds the request bytes that a frame of the stream makes to {@code out} (taking the frame over); returns false when
     * the request is refused: a malformed head is answered 400 ({@code answer} gets its frames), malformed trailers
     * come after the head went on, so the stream is just reset. Either way the stream is to end; what follows is dropped.
     */
    public boolean request(ByteBufAllocator alloc, Http2StreamFrame msg, List<Object> out, List<Object> answer) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the rest of a refused request
        } else if (msg instanceof Http2HeadersFrame frame && !headSent) {
            requestHead(alloc, frame, out, answer);
        } else if (msg instanceof Http2HeadersFrame trailers) {
            requestTrailers(alloc, trailers, out);
        } else if (msg instanceof Http2DataFrame data) {
            requestData(alloc, data, out);
        } else {
            ReferenceCountUtil.release(msg); // a frame that is not the request's (its reset closes the stream)
        }
        return !refused;
    }

    private void requestHead(ByteBufAllocator alloc, Http2HeadersFrame frame, List<Object> out, List<Object> answer) {
        Http2Headers h = frame.headers();
        String malformed = malformed(h);
        if (malformed != null) {
            refused = true;
            refusal("Bad request: " + malformed + ".\n", answer);
            return;
        }
        headSent = true;
        headRequest = AsciiString.contentEquals("HEAD", h.method());
        ByteBuf head = alloc.buffer(256);
        write(head, h.method()).writeByte(' ');
        write(head, h.path()).writeBytes(HTTP_1_1);
        if (h.authority() != null) {
            write(write(head.writeBytes(HOST), h.authority()), CRLF);
        }
        boolean lengthKnown = fields(head, h, true);
        chunkedRequest = !frame.isEndStream() && !lengthKnown;
        if (chunkedRequest) {
            head.writeBytes(CHUNKED);
        }
        out.add(head.writeBytes(CRLF));
    }

    /** Writes the fields but pseudo-headers, cookies joined in one; returns whether one was {@code content-length}. */
    private static boolean fields(ByteBuf out, Http2Headers h, boolean joinCookies) {
        boolean length = false;
        StringBuilder cookies = null;
        for (Map.Entry<CharSequence, CharSequence> field : h) {
            CharSequence name = field.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (joinCookies && AsciiString.contentEquals(COOKIE, name)) {
                cookies = cookies == null ? new StringBuilder(field.getValue()) : cookies.append("; ").append(field.getValue());
                continue;
            }
            length |= AsciiString.contentEquals(CONTENT_LENGTH, name);
            write(write(write(out, name).writeByte(':').writeByte(' '), field.getValue()), CRLF);
        }
        if (cookies != null) {
            write(write(out.writeBytes(COOKIE_FIELD), cookies), CRLF);
        }
        return length;
    }

    private void requestData(ByteBufAllocator alloc, Http2DataFrame frame, List<Object> out) {
        ByteBuf data = frame.content();
        if (!chunkedRequest) {
            out.add(data); // delimited by its content-length, or none (the framer refuses what is past it)
            return;
        }
        int n = data.readableBytes();
        if (n > 0) {
            out.add(alloc.buffer(10).writeBytes(Integer.toHexString(n).getBytes(StandardCharsets.US_ASCII)).writeBytes(CRLF));
            out.add(data);
            out.add(Unpooled.wrappedBuffer(CRLF));
        } else {
            data.release();
        }
        if (frame.isEndStream()) {
            out.add(Unpooled.wrappedBuffer(LAST_CHUNK));
        }
    }

    /** Trailers end a chunked body as its trailer section; a body of known length has no place for them. */
    private void requestTrailers(ByteBufAllocator alloc, Http2HeadersFrame frame, List<Object> out) {
        if (malformedFields(frame.headers()) != null) {
            refused = true; // part of the request went on already: the stream is reset, the instance's connection closed
            return;
        }
        if (chunkedRequest) {
            ByteBuf last = alloc.buffer(128).writeByte('0').writeBytes(CRLF);
            fields(last, frame.headers(), false);
            out.add(last.writeBytes(CRLF));
        }
    }

    private static void refusal(String message, List<Object> answer) {
        ByteBuf body = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        Http2Headers h = new DefaultHttp2Headers(false).status("400").add("content-type", "text/plain; charset=utf-8")
                .add("x-slipway-error", "400").addInt("content-length", body.readableBytes());
        answer.add(new DefaultHttp2HeadersFrame(h, false));
        answer.add(new DefaultHttp2DataFrame(body, true));
    }

    /**
     * Adds the frames that what the proxy writes makes to {@code out} (taking it over): response bytes as the {@code
     * ResponseFramer} relays them (what is not whole yet, a head or a chunk's size line, is kept for the next bytes),
     * or the router's own answer.
     */
    public void response(ByteBufAllocator alloc, Object msg, List<Object> out) {
        if (msg instanceof FullHttpResponse own) {
            answer(own, out);
        } else {
            out.addAll(cumulation.decode(alloc, (ByteBuf) msg, this::responseFrames));
        }
    }

    /** The router's own answer (an error, a redirect, 100 Continue) as one HEADERS frame and its body's DATA frame. */
    private void answer(FullHttpResponse own, List<Object> out) {
        Http2Headers h = new DefaultHttp2Headers(false).status(own.status().codeAsText());
        for (Map.Entry<String, String> field : own.headers()) {
            AsciiString name = AsciiString.of(field.getKey()).toLowerCase();
            if (!CONNECTION_SPECIFIC.contains(name)) {
                h.add(name, field.getValue());
            }
        }
        ByteBuf body = own.content();
        if (own.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            body.release();
            out.add(new DefaultHttp2HeadersFrame(h, false));
        } else if (body.isReadable() && !headRequest) {
            out.add(new DefaultHttp2HeadersFrame(h, false));
            out.add(new DefaultHttp2DataFrame(body, true));
        } else {
            body.release();
            out.add(new DefaultHttp2HeadersFrame(h, true));
        }
    }

    /** The frames that the response bytes in {@code in} make; what is not whole yet (a head, a chunk's size line) stays. */
    private void responseFrames(ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        switch (part) {
            case HEAD -> responseHead(in, out);
            case LENGTH -> {
                int n = (int) Math.min(remaining, in.readableBytes());
                remaining -= n;
                out.add(new DefaultHttp2DataFrame(in.readRetainedSlice(n), remaining == 0));
                part = remaining == 0 ? Part.DONE : Part.LENGTH;
            }
            case CHUNKED -> chunkedData(in, out);
            case UNTIL_END -> out.add(new DefaultHttp2DataFrame(in.readRetainedSlice(in.readableBytes()), false));
            case DONE -> in.skipBytes(in.readableBytes()); // nothing follows a response on a stream
        }
    }

    /**
     * A head as the {@code ResponseFramer} wrote it (an HTTP/1.1 status line, then lines of {@code name: value} that
     * it checked) becomes a HEADERS frame, which ends the stream when no body follows.
     */
    private void responseHead(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        Http2Headers h = new DefaultHttp2Headers(false).status(new AsciiString(ByteBufUtil.getBytes(in, start + 9, 3), false));
        long length = -1;
        boolean chunkedBody = false;
        int line = in.indexOf(start, in.writerIndex(), (byte) '\n') + 1;
        for (int lf; line > 0 && (lf = in.indexOf(line, in.writerIndex(), (byte) '\n')) != line + 1; line = lf + 1) {
            if (lf < 0) {
                return; // the rest of the head comes in a later write
            }
            int colon = in.indexOf(line, lf, (byte) ':');
            AsciiString name = new AsciiString(ByteBufUtil.getBytes(in, line, colon - line), false).toLowerCase();
            AsciiString value = new AsciiString(ByteBufUtil.getBytes(in, colon + 1, lf - 2 - colon), false).trim();
            if (TRANSFER_ENCODING.contentEquals(name)) {
                chunkedBody = value.toString().toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
            } else if (!CONNECTION_SPECIFIC.contains(name)) {
                h.add(name, value);
                length = CONTENT_LENGTH.contentEquals(name) ? value.parseLong() : length;
            }
        }
        if (line <= 0) {
            return;
        }
        in.readerIndex(line + 2);
        int status = (in.getByte(start + 9) - '0') * 100 + (in.getByte(start + 10) - '0') * 10 + in.getByte(start + 11) - '0';
        boolean bodiless = headRequest || status == 204 || status == 304 || length == 0 && !chunkedBody;
        out.add(new DefaultHttp2HeadersFrame(h, bodiless));
        remaining = length;
        part = bodiless ? Part.DONE : chunkedBody ? Part.CHUNKED : length > 0 ? Part.LENGTH : Part.UNTIL_END;
        if (part == Part.CHUNKED) {
            chunked.start();
        }
    }

    /** A chunked body's data as DATA frames, and its end as a HEADERS frame of its trailers or an empty DATA frame. */
    private void chunkedData(ByteBuf in, List<Object> out) {
        List<Object> parts = new ArrayList<>(2);
        boolean ended = chunked.relayDataAndTrailers(in, parts);
        Http2Headers trailers = null;
        for (Object p : parts) {
            if (p instanceof ByteBuf data) {
                out.add(new DefaultHttp2DataFrame(data, false));
            } else {
                String line = (String) p;
                int colon = line.indexOf(':');
                trailers = trailers == null ? new DefaultHttp2Headers(false) : trailers;
                trailers.add(AsciiString.of(line.substring(0, colon)).toLowerCase(), line.substring(colon + 1).trim());
            }
        }
        if (ended) {
            part = Part.DONE;
            out.add(trailers != null ? new DefaultHttp2HeadersFrame(trailers, true) : new DefaultHttp2DataFrame(true));
        }
    }

    /**
     * Why a request cannot be carried as HTTP/1.1 safely (RFC 9113 §8.2.1, §8.3.1), or null: a method that is not a
     * token, a path that is not origin-form (or {@code *}) or holds whitespace or controls, field names that are not
     * lower-case tokens, values with CR, LF or NUL (each of which would let a request smuggle another into the
     * instance's connection), and connection-specific fields, which HTTP/2 forbids.
     */
    static String malformed(Http2Headers h) {
        CharSequence method = h.method();
        if (method == null || method.isEmpty() || !method.chars().allMatch(Http2StreamBridge::tchar)) {
            return "the method is not a token";
        }
        CharSequence path = h.path();
        if (path == null || path.isEmpty() || !(path.charAt(0) == '/' || AsciiString.contentEquals("*", path)
                && AsciiString.contentEquals("OPTIONS", method)) || path.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return "the :path is not a path (origin form, no whitespace or control characters)";
        }
        return malformedFields(h);
    }

    private static String malformedFields(Http2Headers h) {
        for (Map.Entry<CharSequence, CharSequence> field : h) {
            CharSequence name = field.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (name.isEmpty() || !name.chars().allMatch(c -> tchar(c) && !(c >= 'A' && c <= 'Z'))) {
                return "a field name is not a lower-case token";
            }
            CharSequence value = field.getValue();
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                return "field " + name + " has a CR, LF or NUL in its value";
            }
            if (CONNECTION_SPECIFIC.contains(AsciiString.of(name))
                    && !(AsciiString.contentEquals("te", name) && AsciiString.contentEqualsIgnoreCase("trailers", value))) {
                return "field " + name + " is connection-specific, which HTTP/2 does not allow";
            }
        }
        return null;
    }

    private static boolean tchar(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** Writes {@code s} as the bytes it holds (HPACK's strings are octets: each char is one). */
    private static ByteBuf write(ByteBuf out, CharSequence s) {
        out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
        return out;
    }

    private static ByteBuf write(ByteBuf out, byte[] bytes) {
        return out.writeBytes(bytes);
    }

    /** Releases what is kept of a response not whole (the stream ended before it). */
    public void release() {
        cumulation.release();
    }

}
