package dev.slipway.router.netty.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A second opinion on request framing: whatever {@link RequestFramer} forwards, Netty's own request decoder (a
 * well-kept parser that instances' frameworks resemble) decodes too, with the same method, target and body. The
 * requests are built from well-formed and deliberately ambiguous pieces: duplicate or padded framing headers, folded
 * lines, bare line feeds, spaces before colons, control characters.
 */
class RequestFramerAgreementTest {
    private static final List<String> FIELDS = List.of("Host: svc.localhost", "X-A: v", "Content-Length: 5",
            "Content-Length: 12", "Transfer-Encoding: chunked", "transfer-encoding: CHUNKED", "Content-Length : 5",
            "Transfer-Encoding: xchunked", " X-Fold: y", "X-Bad\u0001: 1", "X-Ctl: a\u0001b", "Content-Length: 5, 5",
            "Transfer-Encoding: chunked, chunked", "Content-Length: +5", "Content-Length: 05", "Connection: close",
            "Connection: Content-Length", "Expect: 100-continue", "X-Empty:", "Host: other.localhost", "Transfer-Encoding:\tchunked",
            "Content-Length: 0003", "X-A: a\rb", "X A: 1", "Connection: X-A", "Content-Length: 5\r\nContent-Length: 5");
    private static final List<String> BODIES = List.of("", "hello", "hello world!", "5\r\nhello\r\n0\r\n\r\n",
            "5;e=1\r\nhello\r\n7\r\n world!\r\n0\r\nX-T: 1\r\n\r\n", "z\r\nhello\r\n0\r\n\r\n");

    @Provide
    Arbitrary<String> requests() {
        Arbitrary<String> line = Arbitraries.of("GET / HTTP/1.1", "POST /a?b=1 HTTP/1.1", "HEAD /h HTTP/1.0", "PUT /p HTTP/1.1");
        Arbitrary<List<String>> fields = Arbitraries.of(FIELDS).list().ofMaxSize(5);
        Arbitrary<String> eol = Arbitraries.of("\r\n", "\n");
        return Combinators.combine(line, fields, eol, Arbitraries.of(BODIES))
                .as((l, f, e, body) -> l + e + String.join(e, f) + (f.isEmpty() ? "" : e) + e + body);
    }

    @Property(tries = 2000)
    void whatTheRouterForwardsNettyDecodesTheSame(@ForAll("requests") String request) {
        EmbeddedChannel framer = new EmbeddedChannel(new RequestFramer("10.0.0.9", null));
        try {
            framer.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        } catch (DecoderException e) { // a malformed body: the router closes both connections, no request completes
            framer.finishAndReleaseAll();
            return;
        }
        Object first = framer.readInbound();
        if (!(first instanceof RequestHead head)) {
            framer.finishAndReleaseAll();
            return; // refused (or incomplete): nothing reaches an instance
        }
        StringBuilder forwarded = new StringBuilder(head.content().toString(StandardCharsets.ISO_8859_1));
        boolean ended = head.complete;
        head.release();
        for (Object m; !ended && (m = framer.readInbound()) != null; ) {
            if (m instanceof RequestFramer.Refused) { // a malformed body: the router answers 400, no request completes
                framer.finishAndReleaseAll();
                return;
            }
            if (m == RequestFramer.END) {
                ended = true;
            } else {
                forwarded.append(((ByteBuf) m).toString(StandardCharsets.ISO_8859_1));
                ReferenceCountUtil.release(m);
            }
        }
        framer.finishAndReleaseAll();
        if (!ended) {
            return; // the body has not all come: nothing to compare yet
        }
        String forwardedHead = forwarded.substring(0, forwarded.indexOf("\r\n\r\n") + 2).toLowerCase();
        assertThat(forwardedHead).as("framing headers reach the instance in their plain form").doesNotContain("transfer-encoding:\t", "chunked ")
                .doesNotContain("content-length: 0");
        if (request.contains("Connection: X-A")) {
            assertThat(forwardedHead).as("named by Connection").doesNotContain("\r\nx-a:");
        }
        Decoded instance = decode(forwarded.toString()); // what an instance reads from what the router sent
        Decoded direct = decode(request); // what it would read from the client's bytes
        assertThat(direct.ok).as("Netty decodes what the router accepted: %s", request).isTrue();
        assertThat(instance.ok).as("Netty decodes what the router forwarded: %s", forwarded).isTrue();
        assertThat(instance.line).isEqualTo(direct.line);
        assertThat(instance.body).as("the body").isEqualTo(direct.body);
    }

    private record Decoded(boolean ok, String line, String body) {
    }

    private static Decoded decode(String bytes) {
        EmbeddedChannel netty = new EmbeddedChannel(new HttpRequestDecoder());
        netty.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        boolean ok = true;
        String line = null;
        StringBuilder body = new StringBuilder();
        for (Object m; (m = netty.readInbound()) != null; ) {
            if (m instanceof HttpRequest r) {
                ok &= r.decoderResult().isSuccess();
                line = r.method() + " " + r.uri();
            }
            if (m instanceof HttpContent c) {
                ok &= c.decoderResult().isSuccess();
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
            boolean last = m instanceof LastHttpContent;
            ReferenceCountUtil.release(m);
            if (last) {
                break;
            }
        }
        netty.finishAndReleaseAll();
        return new Decoded(ok && line != null, line, body.toString());
    }
}
