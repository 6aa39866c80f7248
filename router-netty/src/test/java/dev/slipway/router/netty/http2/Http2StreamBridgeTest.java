package dev.slipway.router.netty.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bridge alone: a stream's frames as HTTP/1.1 request bytes, and HTTP/1.1 response bytes as frames. */
class Http2StreamBridgeTest {
    @Test
    void aRequestBecomesHttp11BytesWithItsAuthorityAsHostAndItsCookiesJoined() {
        Http2StreamBridge ch = new Http2StreamBridge();
        in(ch, new DefaultHttp2HeadersFrame(headers("GET", "/a?b=c").add("accept", "*/*").add("cookie", "a=1")
                .add("cookie", "b=2"), true));
        assertThat(inbound(ch)).isEqualTo("GET /a?b=c HTTP/1.1\r\nhost: app.example.com\r\naccept: */*\r\ncookie: a=1; b=2\r\n\r\n");
    }

    @Test
    void aBodyOfUnknownLengthIsChunkedAndItsTrailersEndIt() {
        Http2StreamBridge ch = new Http2StreamBridge();
        in(ch, new DefaultHttp2HeadersFrame(headers("POST", "/up"), false));
        in(ch, new DefaultHttp2DataFrame(bytes("hello"), false));
        in(ch, new DefaultHttp2DataFrame(bytes(""), false));
        in(ch, new DefaultHttp2DataFrame(bytes("world!"), false));
        in(ch, new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-sum", "42"), true));
        assertThat(inbound(ch)).isEqualTo("POST /up HTTP/1.1\r\nhost: app.example.com\r\ntransfer-encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\nworld!\r\n0\r\nx-sum: 42\r\n\r\n");
    }

    @Test
    void trailersThatWouldSmuggleARequestEndTheStreamAndGoNowhere() {
        Http2StreamBridge ch = new Http2StreamBridge();
        in(ch, new DefaultHttp2HeadersFrame(headers("POST", "/up"), false));
        in(ch, new DefaultHttp2DataFrame(bytes("a"), false));
        in(ch, new DefaultHttp2HeadersFrame(new DefaultHttp2Headers(false).add("x-sum", "1\r\n\r\nGET /second HTTP/1.1"), true));
        assertThat(carried).as("the stream is to end").isFalse();
        assertThat(inbound(ch)).endsWith("1\r\na\r\n").doesNotContain("second");
    }

    @Test
    void aBodyOfKnownLengthPassesAsItCame() {
        Http2StreamBridge ch = new Http2StreamBridge();
        in(ch, new DefaultHttp2HeadersFrame(headers("PUT", "/x").add("content-length", "3"), false));
        in(ch, new DefaultHttp2DataFrame(bytes("abc"), true));
        assertThat(inbound(ch)).isEqualTo("PUT /x HTTP/1.1\r\nhost: app.example.com\r\ncontent-length: 3\r\n\r\nabc");
    }

    @Test
    void aMalformedRequestIsAnsweredWith400AndNothingGoesOn() {
        Http2StreamBridge ch = new Http2StreamBridge();
        in(ch, new DefaultHttp2HeadersFrame(headers("POST", "/").add("x-a", "1\r\nx-b: 2"), false));
        in(ch, new DefaultHttp2DataFrame(bytes("0\r\n\r\nGET /second HTTP/1.1\r\n\r\n"), true));
        assertThat(inbound(ch)).isEmpty();
        assertThat(carried).as("the stream is to end").isFalse();
        Http2HeadersFrame refusal = (Http2HeadersFrame) answer.get(0);
        assertThat(refusal.headers().status()).hasToString("400");
        Http2DataFrame body = (Http2DataFrame) answer.get(1);
        assertThat(body.content().toString(StandardCharsets.UTF_8)).contains("x-a").contains("CR, LF or NUL");
        assertThat(body.isEndStream()).isTrue();
        body.release();
    }

    @Test
    void responseBytesBecomeHeadersAndDataEndingTheStream() {
        Http2StreamBridge ch = new Http2StreamBridge();
        out(ch, bytes("HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nX-Trace:  a b \r\nconnection: keep-alive\r\n\r\nhel"));
        out(ch, bytes("lo"));
        List<Object> out = outbound(ch);
        Http2HeadersFrame head = (Http2HeadersFrame) out.get(0);
        assertThat(head.headers().status()).hasToString("404");
        assertThat(head.headers().get("content-length")).hasToString("5");
        assertThat(head.headers().get("x-trace")).hasToString("a b");
        assertThat(head.headers().contains("connection")).isFalse();
        assertThat(head.isEndStream()).isFalse();
        assertThat(data(out)).isEqualTo("hello");
        assertThat(((Http2DataFrame) out.get(out.size() - 1)).isEndStream()).isTrue();
    }

    @Test
    void aChunkedResponseLosesItsFramingAndItsTrailersEndTheStream() {
        Http2StreamBridge ch = new Http2StreamBridge();
        out(ch, bytes("HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel"));
        out(ch, bytes("lo\r\n1")); // a size line cut in two
        out(ch, bytes("0\r\n0123456789abcdef\r\n0\r\ngrpc-status: 0\r\nGrpc-Message: ok\r\n\r\n"));
        List<Object> out = outbound(ch);
        Http2HeadersFrame head = (Http2HeadersFrame) out.get(0);
        assertThat(head.headers().contains("transfer-encoding")).isFalse();
        assertThat(data(out)).isEqualTo("hello0123456789abcdef");
        Http2HeadersFrame trailers = (Http2HeadersFrame) out.get(out.size() - 1);
        assertThat(trailers.isEndStream()).isTrue();
        assertThat(trailers.headers().get("grpc-status")).hasToString("0");
        assertThat(trailers.headers().get("grpc-message")).hasToString("ok");
    }

    @Test
    void theAnswerToHeadEndsWithItsHeaders() {
        Http2StreamBridge ch = new Http2StreamBridge();
        in(ch, new DefaultHttp2HeadersFrame(headers("HEAD", "/"), true));
        inbound(ch);
        out(ch, bytes("HTTP/1.1 200 OK\r\ncontent-length: 1234\r\n\r\n"));
        List<Object> out = outbound(ch);
        assertThat(out).hasSize(1);
        assertThat(((Http2HeadersFrame) out.get(0)).isEndStream()).isTrue();
        assertThat(((Http2HeadersFrame) out.get(0)).headers().get("content-length")).hasToString("1234");
    }

    @Test
    void theRoutersOwnAnswersBecomeFramesAndContinueLeavesTheStreamOpen() {
        Http2StreamBridge ch = new Http2StreamBridge();
        out(ch, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        DefaultFullHttpResponse own = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SERVICE_UNAVAILABLE, bytes("busy\n"));
        own.headers().set("Retry-After", "1").set("Connection", "close");
        out(ch, own);
        List<Object> out = outbound(ch);
        assertThat(((Http2HeadersFrame) out.get(0)).headers().status()).hasToString("100");
        assertThat(((Http2HeadersFrame) out.get(0)).isEndStream()).isFalse();
        Http2Headers answer = ((Http2HeadersFrame) out.get(1)).headers();
        assertThat(answer.status()).hasToString("503");
        assertThat(answer.get("retry-after")).hasToString("1");
        assertThat(answer.contains("connection")).isFalse();
        assertThat(data(out)).isEqualTo("busy\n");
        assertThat(((Http2DataFrame) out.get(2)).isEndStream()).isTrue();
    }

    @Test
    void whatWouldSmuggleASecondRequestIsMalformed() {
        assertThat(Http2StreamBridge.malformed(headers("GET", "/a?b=c").add("accept", "*/*"))).isNull();
        assertThat(Http2StreamBridge.malformed(headers("OPTIONS", "*"))).isNull();
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("te", "trailers"))).isNull();
        assertThat(Http2StreamBridge.malformed(headers("GET", "http://evil/"))).contains(":path");
        assertThat(Http2StreamBridge.malformed(headers("GET", "*"))).contains(":path");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/a b"))).contains(":path");
        assertThat(Http2StreamBridge.malformed(new DefaultHttp2Headers(false).method("CONNECT").authority("x:443"))).contains(":path");
        assertThat(Http2StreamBridge.malformed(headers("G ET", "/"))).contains("method");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("x-a", "1\r\nx-b: 2"))).contains("x-a");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("x-a", "1\n"))).contains("x-a");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("x-a", "1\0"))).contains("x-a");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("X-A", "1"))).contains("lower-case");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("x a", "1"))).contains("lower-case");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("connection", "close"))).contains("connection-specific");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("transfer-encoding", "chunked"))).contains("connection-specific");
        assertThat(Http2StreamBridge.malformed(headers("GET", "/").add("te", "gzip"))).contains("connection-specific");
    }

    private static Http2Headers headers(String method, String path) {
        return new DefaultHttp2Headers(false).method(method).path(path).scheme("https").authority("app.example.com");
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private final List<Object> requestBytes = new ArrayList<>();
    private final List<Object> answer = new ArrayList<>();
    private final List<Object> frames = new ArrayList<>();
    private boolean carried = true;

    private void in(Http2StreamBridge bridge, Http2StreamFrame frame) {
        carried &= bridge.request(ByteBufAllocator.DEFAULT, frame, requestBytes, answer);
    }

    private void out(Http2StreamBridge bridge, Object msg) {
        bridge.response(ByteBufAllocator.DEFAULT, msg, frames);
    }

    /** The request bytes so far, released. */
    private String inbound(Http2StreamBridge bridge) {
        StringBuilder bytes = new StringBuilder();
        for (Object o : requestBytes) {
            bytes.append(((ByteBuf) o).toString(StandardCharsets.ISO_8859_1));
            ((ByteBuf) o).release();
        }
        requestBytes.clear();
        return bytes.toString();
    }

    private List<Object> outbound(Http2StreamBridge bridge) {
        List<Object> out = new ArrayList<>(frames);
        frames.clear();
        return out;
    }

    /** The DATA frames' bytes, released. */
    private static String data(List<Object> frames) {
        StringBuilder body = new StringBuilder();
        for (Object o : frames) {
            if (o instanceof Http2DataFrame d) {
                body.append(d.content().toString(StandardCharsets.ISO_8859_1));
                d.release();
            }
        }
        return body.toString();
    }
}
