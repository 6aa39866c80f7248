package dev.slipway.router.netty.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
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
 * A second opinion on response relaying: whatever {@link ResponseFramer} passes to the client, Netty's response decoder
 * (as an HTTP client would) reads, with the same final status and the same body as it reads from the instance's own
 * bytes when it can read those, for responses built from well-formed and awkward pieces (interim responses, HTTP/1.0, no length, chunked
 * with extensions and trailers, 204/304, Connection options).
 */
class ResponseFramerAgreementTest {
    private static final List<String> STATUS = List.of("HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content",
            "HTTP/1.1 304 Not Modified", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created", "HTTP/1.1 404 Not Found");
    private static final List<String> FIELDS = List.of("Content-Length: 5", "Content-Length: 0", "Transfer-Encoding: chunked",
            "Connection: close", "Connection: keep-alive", "Keep-Alive: timeout=5", "X-A: v", "Server: s", "Content-Type: text/plain",
            // malformed and lenient: none may reach a client as it came
            "Content-Length : 5", "X-B: a\rSet-Cookie: evil=1", "X-C: a\u0000b", " X-Fold: evil", "X D: evil", "Content-Length: 5, 5",
            "Content-Length: +5", "Content-Length: 05", "Transfer-Encoding: chunked, chunked", "Transfer-Encoding: gzip, chunked",
            "transfer-encoding: CHUNKED", "Connection: X-A", "Set-Cookie: a=1", "X-Tab:\tv\t");
    private static final List<String> BODIES = List.of("", "hello", "5\r\nhello\r\n0\r\n\r\n",
            "5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n", "not framed at all");

    @Provide
    Arbitrary<String> responses() {
        Arbitrary<List<String>> fields = Arbitraries.of(FIELDS).list().ofMaxSize(4);
        return Combinators.combine(Arbitraries.of(STATUS), fields, Arbitraries.of("\r\n", "\n"), Arbitraries.of(BODIES))
                .as((status, f, eol, body) -> status + eol + String.join(eol, f) + (f.isEmpty() ? "" : eol) + eol + body);
    }

    @Property(tries = 2000)
    void whatTheClientGetsReadsAsWhatTheInstanceSent(@ForAll("responses") String response, @ForAll boolean clientKeepAlive,
                                                      @ForAll boolean clientHttp10) {
        ResponseFramer framer = new ResponseFramer();
        framer.expect(false, clientKeepAlive, clientHttp10);
        EmbeddedChannel channel = new EmbeddedChannel(framer);
        StringBuilder relayed = new StringBuilder();
        boolean ended;
        try {
            channel.writeInbound(Unpooled.copiedBuffer(response, StandardCharsets.ISO_8859_1));
            channel.finish(); // the instance closes: that ends a close-delimited body
            ended = drain(channel, relayed);
        } catch (DecoderException e) { // the router answers 502 instead
            channel.finishAndReleaseAll();
            return;
        }
        if (!ended) { // cut short by the instance: the router closes the client's connection too, mid-response
            return;
        }
        Decoded client = decode(relayed.toString());
        assertThat(client.ok).as("Netty reads what the router relayed: %s", relayed).isTrue();
        assertWellFormed(relayed.toString(), clientHttp10, response);
        Decoded instance = decode(response);
        if (instance.ok) { // (the router also takes heads with bare line feeds, which Netty refuses, and relays them with CRLF)
            assertThat(client.status).isEqualTo(instance.status);
            assertThat(client.body).as("the body").isEqualTo(instance.body);
        }
    }

    /**
     * Every line of the relayed head is a token name, a colon and a value without controls, ending in CRLF; nothing the
     * instance hid in a value became a line of its own; the headers the response's Connection named are gone; an
     * HTTP/1.0 client gets no chunks.
     */
    private static void assertWellFormed(String relayed, boolean clientHttp10, String response) {
        String head = relayed.substring(0, relayed.indexOf("\r\n\r\n"));
        List<String> lines = head.contains("\r\n") ? List.of(head.substring(head.indexOf("\r\n") + 2).split("\r\n", -1)) : List.of();
        for (String line : lines) {
            assertThat(line).as("a relayed header line of %s", response).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \\t]*[\\t\\x20-\\x7e]*");
            assertThat(line.toLowerCase()).doesNotStartWith("set-cookie: evil");
            if (response.contains("Connection: X-A")) {
                assertThat(line.toLowerCase()).doesNotStartWith("x-a:");
            }
        }
        if (clientHttp10) {
            assertThat(head.toLowerCase()).doesNotContain("transfer-encoding: chunked");
        }
    }

    private static boolean drain(EmbeddedChannel channel, StringBuilder relayed) {
        for (Object m; (m = channel.readInbound()) != null; ) {
            if (m == ResponseFramer.END) {
                return true;
            }
            if (m instanceof ResponseHead head) {
                relayed.append(head.content().toString(StandardCharsets.ISO_8859_1));
                head.release();
                if (head.complete) {
                    return true;
                }
            } else {
                relayed.append(((ByteBuf) m).toString(StandardCharsets.ISO_8859_1));
                ReferenceCountUtil.release(m);
            }
        }
        return false;
    }

    private record Decoded(boolean ok, int status, String body) {
    }

    /** The final (non-1xx) response as Netty's client-side decoder reads it, the connection closing after the bytes. */
    private static Decoded decode(String bytes) {
        EmbeddedChannel netty = new EmbeddedChannel(new HttpResponseDecoder());
        netty.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        netty.finish();
        boolean ok = true;
        int status = 0;
        StringBuilder body = new StringBuilder();
        for (Object m; (m = netty.readInbound()) != null; ) {
            if (m instanceof HttpResponse r) {
                ok &= r.decoderResult().isSuccess();
                status = r.status().code();
                body.setLength(0);
            }
            if (m instanceof HttpContent c) {
                ok &= c.decoderResult().isSuccess();
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
            }
            boolean last = m instanceof LastHttpContent && status >= 200;
            ReferenceCountUtil.release(m);
            if (last) {
                break;
            }
        }
        netty.finishAndReleaseAll();
        return new Decoded(ok && status >= 200, status, body.toString());
    }
}
