package dev.slipway.router.netty.http2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bridge alone: a stream's request as HTTP/1.1 bytes, and HTTP/1.1 response bytes as objects for the HTTP/2 codec. */
class Http2StreamBridgeTest {
    @Test
    void aRequestBecomesHttp11BytesWithoutNettysExtensionFields() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamBridge());
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a?b=c");
        request.headers().add("host", "app.example.com").add("x-http2-stream-id", "3").add("x-http2-scheme", "https").add("accept", "*/*");
        ch.writeInbound(request);
        StringBuilder bytes = new StringBuilder();
        for (Object o; (o = ch.readInbound()) != null; ) {
            bytes.append(((ByteBuf) o).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) o).release();
        }
        assertThat(bytes.toString()).isEqualTo("GET /a?b=c HTTP/1.1\r\nhost: app.example.com\r\naccept: */*\r\n\r\n");
    }

    @Test
    void responseBytesBecomeAResponseAndItsContentEndingTheStream() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamBridge());
        ch.writeOutbound(Unpooled.copiedBuffer("HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\nconnection: keep-alive\r\n\r\nhel", StandardCharsets.US_ASCII));
        ch.writeOutbound(Unpooled.copiedBuffer("lo", StandardCharsets.US_ASCII));
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            out.add(o);
        }
        assertThat(out.get(0)).isInstanceOf(HttpResponse.class);
        assertThat(((HttpResponse) out.get(0)).status().code()).isEqualTo(404);
        StringBuilder body = new StringBuilder();
        out.stream().filter(o -> o instanceof HttpContent).forEach(o -> body.append(((HttpContent) o).content().toString(StandardCharsets.US_ASCII)));
        assertThat(body.toString()).isEqualTo("hello");
        assertThat(out.get(out.size() - 1)).isInstanceOf(LastHttpContent.class);
    }

    @Test
    void anInformationalResponseGoesOutWhole() {
        EmbeddedChannel ch = new EmbeddedChannel(new Http2StreamBridge());
        ch.writeOutbound(Unpooled.copiedBuffer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", StandardCharsets.US_ASCII));
        Object first = ch.readOutbound();
        assertThat(first).isInstanceOf(FullHttpResponse.class);
        assertThat(((FullHttpResponse) first).status().code()).isEqualTo(100);
        Object second = ch.readOutbound();
        assertThat(((HttpResponse) second).status().code()).isEqualTo(200);
    }

    @Test
    void whatWouldSmuggleASecondRequestIsMalformed() {
        assertThat(Http2StreamBridge.malformed(request("GET", "/a?b=c", "accept", "*/*"))).isNull();
        assertThat(Http2StreamBridge.malformed(request("OPTIONS", "*"))).isNull();
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "te", "trailers"))).isNull();
        // a :path with whitespace or controls Netty itself refuses to turn into a request (RouterHttp2FramingTest sends them)
        assertThat(Http2StreamBridge.malformed(request("GET", "http://evil/"))).contains(":path");
        assertThat(Http2StreamBridge.malformed(request("GET", "*"))).contains(":path");
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "x-a", "1\r\nx-b: 2"))).contains("x-a");
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "x-a", "1\n"))).contains("x-a");
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "x-a", "1\0"))).contains("x-a");
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "X-A", "1"))).contains("lower-case");
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "x a", "1"))).contains("lower-case");
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "connection", "close"))).contains("connection-specific");
        assertThat(Http2StreamBridge.malformed(request("GET", "/", "te", "gzip"))).contains("connection-specific");
    }

    private static DefaultFullHttpRequest request(String method, String uri, String... fields) {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/",
                Unpooled.EMPTY_BUFFER, new io.netty.handler.codec.http.DefaultHttpHeaders(false), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        r.setUri(uri);
        r.setMethod(HttpMethod.valueOf(method));
        for (int i = 0; i < fields.length; i += 2) {
            r.headers().add(fields[i], fields[i + 1]);
        }
        return r;
    }
}
