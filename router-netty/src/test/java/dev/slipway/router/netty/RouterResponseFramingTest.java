package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How the router frames what instances answer (RFC 9112 §6.3): responses without a body (HEAD, 204), bodies delimited
 * by the instance closing its connection, interim responses, chunked bodies with trailers. The instance is a socket
 * that writes scripted bytes; the client is Java's HttpClient or a raw socket, on kept-alive connections.
 */
class RouterResponseFramingTest {
    private static final String HOST = "svc-abc123.localhost";
    private static final Map<String, String> SCRIPTS = Map.ofEntries(
            Map.entry("/space-before-colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nokHTTP/1.1 200 OK\r\nX-Evil: 1\r\n\r\n"),
            Map.entry("/bare-cr", "HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: evil=1\r\nContent-Length: 2\r\n\r\nok"),
            Map.entry("/nul", "HTTP/1.1 200 OK\r\nX-A: a\u0000Set-Cookie: evil=1\r\nContent-Length: 2\r\n\r\nok"),
            Map.entry("/obs-fold", "HTTP/1.1 200 OK\r\nX-A: a\r\n Set-Cookie: evil=1\r\nContent-Length: 2\r\n\r\nok"),
            Map.entry("/space-in-name", "HTTP/1.1 200 OK\r\nX A: evil\r\nContent-Length: 2\r\n\r\nok"),
            Map.entry("/connection-names", "HTTP/1.1 200 OK\r\nConnection: X-Secret, keep-alive\r\nX-Secret: 1\r\nX-Kept: 2\r\n"
                    + "Content-Length: 2\r\n\r\nok"),
            Map.entry("/upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
            Map.entry("/head", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n"),
            Map.entry("/ok", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            Map.entry("/until-close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe body ends when the instance closes"),
            Map.entry("/interim", "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"),
            Map.entry("/no-content", "HTTP/1.1 204 No Content\r\nX-Note: nothing\r\n\r\n"),
            Map.entry("/trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n"),
            Map.entry("/length-and-chunked", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nhello"),
            Map.entry("/gzip-until-close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nnot really gzip"),
            Map.entry("/lf-only", "HTTP/1.1 200 OK\nContent-Length: 4\nX-Lines: bare\n\nbare"));
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static NettyRouter router;
    private static ScriptedUpstream upstream;

    @BeforeAll
    static void start() throws IOException {
        upstream = new ScriptedUpstream(RouterResponseFramingTest::answer);
        router = upstream.routedAs(HOST);
    }

    @AfterAll
    static void stop() throws IOException {
        upstream.close();
    }

    @Test
    void aHeadResponseHasNoBodyAndTheConnectionServesTheNextRequest() throws IOException {
        String reply = RawHttp.exchange(router.port(), "HEAD /head HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
                + "GET /ok HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n", 5000);

        assertThat(reply).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("content-length: 5\r\n");
        String second = reply.substring(reply.indexOf("\r\n\r\n") + 4);
        assertThat(second).as("the HEAD response carries no body: the next bytes are the next response")
                .startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
    }

    @Test
    void aBodyDelimitedByTheInstanceClosingReachesTheClientWhole() throws Exception {
        HttpResponse<String> r = get("/until-close");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("the body ends when the instance closes");
        assertThat(get("/ok").body()).isEqualTo("ok");
    }

    @Test
    void interimResponsesAreNotPassedOnAndTheFinalOneIs() throws Exception {
        HttpResponse<String> r = get("/interim");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("final");
        assertThat(r.headers().map()).doesNotContainKey("link");
    }

    @Test
    void noContentHasNoBodyAndKeepsTheConnectionUsable() throws Exception {
        HttpResponse<String> r = get("/no-content");
        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValue("x-note")).hasValue("nothing");
        assertThat(get("/ok").body()).isEqualTo("ok");
    }

    @Test
    void aChunkedBodyWithTrailersArrivesWhole() throws Exception {
        assertThat(get("/trailers").body()).isEqualTo("hello world");
        assertThat(get("/ok").body()).isEqualTo("ok");
    }

    @Test
    void aResponseWithBothContentLengthAndTransferEncodingIs502() throws Exception {
        HttpResponse<String> r = get("/length-and-chunked");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("both Content-Length and Transfer-Encoding");
        assertThat(get("/ok").body()).isEqualTo("ok");
    }

    @Test
    void aBodyInAnotherCodingThatEndsWithTheInstancesConnectionEndsTheClientsToo() throws IOException {
        String reply = RawHttp.exchange(router.port(), "GET /gzip-until-close HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n", 5000);
        assertThat(reply).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("transfer-encoding: gzip\r\n")
                .containsIgnoringCase("connection: close\r\n").endsWith("\r\n\r\nnot really gzip");
    }

    @Test
    void headLinesEndingInABareLineFeedReachTheClientWithCrlf() throws IOException {
        String reply = RawHttp.exchange(router.port(), "GET /lf-only HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n", 5000);
        assertThat(reply).startsWith("HTTP/1.1 200 OK\r\n").contains("X-Lines: bare\r\n").endsWith("\r\n\r\nbare");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/space-before-colon", "/bare-cr", "/nul", "/obs-fold", "/space-in-name"})
    void aMalformedResponseHeadIs502AndNothingOfItReachesTheClient(String path) throws IOException {
        String reply = RawHttp.exchange(router.port(), "GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n"
                + "GET /ok HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n", 5000);
        assertThat(reply).startsWith("HTTP/1.1 502 ").contains("the instance's response is malformed").doesNotContainIgnoringCase("evil")
                .containsIgnoringCase("connection: close").doesNotContain("200 OK");
    }

    @Test
    void headersTheResponsesConnectionHeaderNamesAreNotPassedOn() throws Exception {
        HttpResponse<String> r = get("/connection-names");
        assertThat(r.headers().map()).doesNotContainKey("x-secret").containsKey("x-kept");
        assertThat(r.body()).isEqualTo("ok");
    }

    @Test
    void aSwitchToAnotherProtocolNobodyAskedForIs502AtOnce() throws Exception {
        HttpResponse<String> r = get("/upgrade");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("101");
    }

    @Test
    void anHttp10ClientGetsNoChunksAndItsKeptAliveConnectionSaysSo() throws IOException {
        String chunked = RawHttp.exchange(router.port(), "GET /trailers HTTP/1.0\r\nHost: " + HOST + "\r\nConnection: keep-alive\r\n\r\n", 5000);
        assertThat(chunked).startsWith("HTTP/1.1 200 OK\r\n").doesNotContainIgnoringCase("transfer-encoding")
                .containsIgnoringCase("connection: close\r\n").endsWith("\r\n\r\nhello world");
        String untilClose = RawHttp.exchange(router.port(), "GET /until-close HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n", 5000);
        assertThat(untilClose).doesNotContainIgnoringCase("transfer-encoding").endsWith("\r\n\r\nthe body ends when the instance closes");
        String kept = RawHttp.exchange(router.port(), "GET /ok HTTP/1.0\r\nHost: " + HOST + "\r\nConnection: keep-alive\r\n\r\n"
                + "GET /ok HTTP/1.0\r\nHost: " + HOST + "\r\n\r\n", 5000);
        assertThat(kept).containsIgnoringCase("connection: keep-alive\r\n").endsWith("\r\n\r\nok");
        assertThat(kept.split("HTTP/1.1 200 OK", -1)).as("both requests answered on one connection").hasSize(3);
        String unknown = RawHttp.exchange(router.port(), "GET / HTTP/1.0\r\nHost: nobody.localhost\r\nConnection: keep-alive\r\n\r\n"
                + "GET / HTTP/1.0\r\nHost: nobody.localhost\r\n\r\n", 5000);
        assertThat(unknown).startsWith("HTTP/1.1 404 ").containsIgnoringCase("connection: keep-alive\r\n");
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path)).header("Host", HOST)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Writes the script of the request's path; closes after a close-delimited one. */
    private static boolean answer(String head, InputStream in, OutputStream out) throws IOException {
        String path = head.split(" ", 3)[1];
        out.write(SCRIPTS.getOrDefault(path, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return !path.endsWith("until-close") && !path.equals("/space-before-colon");
    }
}
