package dev.slipway.router.netty.http1;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The framers read bytes as TCP delivers them, in pieces cut anywhere: whatever the cuts, a connection's requests (and
 * an instance's responses) come out as the same messages and the same forwarded bytes as when they arrive whole.
 */
class FramersSplitTest {
    private static final String REQUESTS = "GET /a?q=1 HTTP/1.1\r\nHost: svc.localhost\r\nUser-Agent: t\r\n\r\n"
            + "GET /a2 HTTP/1.1\r\nHost: Other.LOCALHOST:81\r\n\r\n" // another host on the same connection
            + "POST /b HTTP/1.1\r\nHost: svc.localhost\r\nContent-Length: 11\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n\r\nhello world"
            + "POST /c HTTP/1.1\r\nHost: svc.localhost\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n"
            + "\r\nHEAD http://svc.localhost:8080/d HTTP/1.1\r\nHost: other.localhost\r\nX-Lf: crlf\r\n\r\n"
            + "GET /e HTTP/1.0\r\nHost: svc.localhost\r\nConnection: close\r\n\r\n";
    private static final List<String> RESPONSES = List.of(
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "HTTP/1.0 200 OK\nServer: old\n\n" + "x".repeat(5000),
            "HTTP/1.1 200 OK\r\nContent-Length: 6000\r\n\r\n" + "y".repeat(6000));

    @Provide
    Arbitrary<List<Integer>> cuts() {
        return Arbitraries.integers().between(1, 400).list().ofMaxSize(30);
    }

    @Property(tries = 300)
    void requestsComeOutTheSameWhereverTheBytesAreCut(@ForAll("cuts") List<Integer> cuts) {
        assertThat(frame(new EmbeddedChannel(new RequestFramer("10.0.0.9", null)), REQUESTS, cuts))
                .isEqualTo(frame(new EmbeddedChannel(new RequestFramer("10.0.0.9", null)), REQUESTS, List.of()));
    }

    @Property(tries = 300)
    void responsesComeOutTheSameWhereverTheBytesAreCut(@ForAll("cuts") List<Integer> cuts) {
        assertThat(responses(cuts).stream().map(FramersSplitTest::dechunkedIfRechunked))
                .isEqualTo(responses(List.of()).stream().map(FramersSplitTest::dechunkedIfRechunked).toList());
    }

    /**
     * A close-delimited body is chunked by the router as it comes, so its chunk sizes follow the cuts: compared by the
     * body they carry. (Chunked bodies from the instance pass as they are and are compared byte for byte.)
     */
    private static String dechunkedIfRechunked(String response) {
        int body = response.indexOf("\r\n\r\n") + 4;
        if (!response.substring(0, body).contains("\r\ntransfer-encoding: chunked\r\n")) {
            return response;
        }
        StringBuilder data = new StringBuilder(response.substring(0, body));
        for (int p = body; ; ) {
            int lf = response.indexOf("\r\n", p);
            int size = Integer.parseInt(response.substring(p, lf), 16);
            if (size == 0) {
                return data.toString();
            }
            data.append(response, lf + 2, lf + 2 + size);
            p = lf + 2 + size + 2;
        }
    }

    @Property(tries = 1)
    void whatComesOutWhole() {
        List<String> requests = frame(new EmbeddedChannel(new RequestFramer("10.0.0.9", null)), REQUESTS, List.of());
        assertThat(requests).containsExactly(
                "svc.localhost: GET /a?q=1 HTTP/1.1\r\nHost: svc.localhost\r\nUser-Agent: t\r\nx-forwarded-for: 10.0.0.9\r\n"
                        + "x-forwarded-proto: http\r\nx-forwarded-host: svc.localhost\r\n\r\n",
                "other.localhost: GET /a2 HTTP/1.1\r\nHost: Other.LOCALHOST:81\r\nx-forwarded-for: 10.0.0.9\r\n"
                        + "x-forwarded-proto: http\r\nx-forwarded-host: Other.LOCALHOST:81\r\n\r\n",
                "svc.localhost: POST /b HTTP/1.1\r\nHost: svc.localhost\r\ncontent-length: 11\r\nx-forwarded-for: 10.0.0.9\r\n"
                        + "x-forwarded-proto: http\r\nx-forwarded-host: svc.localhost\r\n\r\nhello world",
                "svc.localhost: POST /c HTTP/1.1\r\nHost: svc.localhost\r\ntransfer-encoding: chunked\r\nx-forwarded-for: 10.0.0.9\r\n"
                        + "x-forwarded-proto: http\r\nx-forwarded-host: svc.localhost\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
                "svc.localhost: HEAD /d HTTP/1.1\r\nX-Lf: crlf\r\nhost: svc.localhost:8080\r\nx-forwarded-for: 10.0.0.9\r\n"
                        + "x-forwarded-proto: http\r\nx-forwarded-host: svc.localhost:8080\r\n\r\n",
                "svc.localhost: GET /e HTTP/1.1\r\nHost: svc.localhost\r\nx-forwarded-for: 10.0.0.9\r\nx-forwarded-proto: http\r\n"
                        + "x-forwarded-host: svc.localhost\r\n\r\n");
        assertThat(responses(List.of())).containsExactly(
                "200: HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
                "201: HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
                "200: HTTP/1.1 200 OK\r\nServer: old\r\ntransfer-encoding: chunked\r\n\r\n1388\r\n" + "x".repeat(5000) + "\r\n0\r\n\r\n",
                "200: HTTP/1.1 200 OK\r\nContent-Length: 6000\r\n\r\n" + "y".repeat(6000));
    }

    /** Each response framed alone (as the router expects one per request), on a kept-alive client connection. */
    private static List<String> responses(List<Integer> cuts) {
        List<String> out = new ArrayList<>();
        for (String response : RESPONSES) {
            ResponseFramer framer = new ResponseFramer();
            framer.expect(false, true, false);
            out.addAll(frame(new EmbeddedChannel(framer), response, cuts));
        }
        return out;
    }

    /**
     * A head that comes a byte at a time (an app or client trickling it) costs each byte one copy and one search, not
     * a copy and a search of everything before it on every read: on one shared event loop, the quadratic way would let
     * one connection slow every tenant.
     */
    @Property(tries = 1)
    void aHeadSentAByteAtATimeCostsNoMoreThanOneSentWhole() {
        String requestHead = "GET / HTTP/1.1\r\nHost: svc.localhost\r\nX-Long: " + "a".repeat(7800) + "\r\n\r\n";
        RequestFramer request = new RequestFramer("10.0.0.9", null);
        List<Integer> oneByte = java.util.Collections.nCopies(requestHead.length(), 1);
        List<String> trickled = frame(new EmbeddedChannel(request), requestHead, oneByte);
        assertThat(trickled).isEqualTo(frame(new EmbeddedChannel(new RequestFramer("10.0.0.9", null)), requestHead, List.of()));
        assertThat(request.headWork()).as("bytes copied and searched").isLessThanOrEqualTo(requestHead.length());

        String responseHead = "HTTP/1.1 200 OK\r\nX-Long: " + "b".repeat(60_000) + "\r\nContent-Length: 2\r\n\r\nok";
        ResponseFramer response = new ResponseFramer();
        response.expect(false, true, false);
        List<String> relayed = frame(new EmbeddedChannel(response), responseHead, java.util.Collections.nCopies(responseHead.length(), 1));
        assertThat(relayed).singleElement().asString().startsWith("200: HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
        assertThat(response.headWork()).as("bytes copied and searched").isLessThanOrEqualTo(responseHead.length());
    }

    /**
     * Feeds {@code bytes} cut at the running sums of {@code cuts}; returns each message that came out as its route (or
     * status) and all its bytes, however many pieces they came in.
     */
    private static List<String> frame(EmbeddedChannel channel, String bytes, List<Integer> cuts) {
        byte[] all = bytes.getBytes(StandardCharsets.ISO_8859_1);
        int at = 0;
        for (int cut : cuts) {
            int end = Math.min(all.length, at + cut);
            channel.writeInbound(Unpooled.wrappedBuffer(all, at, end - at));
            at = end;
        }
        if (at < all.length) {
            channel.writeInbound(Unpooled.wrappedBuffer(all, at, all.length - at));
        }
        channel.finish(); // the peer closes: that ends a close-delimited body
        List<String> messages = new ArrayList<>();
        StringBuilder message = null;
        for (Object m; (m = channel.readInbound()) != null; ) {
            if (m instanceof RequestHead h) {
                message = new StringBuilder(h.host + ": ").append(text(h.content()));
                h.release();
                if (h.complete) {
                    messages.add(message.toString());
                }
            } else if (m instanceof ResponseHead h) {
                message = new StringBuilder(h.status + ": ").append(text(h.content()));
                h.release();
                if (h.complete) {
                    messages.add(message.toString());
                }
            } else if (m instanceof ByteBuf b) {
                message.append(text(b));
                b.release();
            } else { // END
                messages.add(message.toString());
            }
        }
        return messages;
    }

    private static String text(ByteBuf bytes) {
        return bytes.toString(StandardCharsets.ISO_8859_1);
    }

}
