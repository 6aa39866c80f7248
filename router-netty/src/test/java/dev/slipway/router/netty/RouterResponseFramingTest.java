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

/**
 * How the router frames what instances answer (RFC 9112 §6.3): responses without a body (HEAD, 204), bodies delimited
 * by the instance closing its connection, interim responses, chunked bodies with trailers. The instance is a socket
 * that writes scripted bytes; the client is Java's HttpClient or a raw socket, on kept-alive connections.
 */
class RouterResponseFramingTest {
    private static final String HOST = "svc-abc123.localhost";
    private static final Map<String, String> SCRIPTS = Map.of(
            "/head", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\n",
            "/ok", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            "/until-close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe body ends when the instance closes",
            "/interim", "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal",
            "/no-content", "HTTP/1.1 204 No Content\r\nX-Note: nothing\r\n\r\n",
            "/trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n",
            "/length-and-chunked", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nhello",
            "/gzip-until-close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nnot really gzip",
            "/lf-only", "HTTP/1.1 200 OK\nContent-Length: 4\nX-Lines: bare\n\nbare");
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

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path)).header("Host", HOST)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Writes the script of the request's path; closes after a close-delimited one. */
    private static boolean answer(String head, InputStream in, OutputStream out) throws IOException {
        String path = head.split(" ", 3)[1];
        out.write(SCRIPTS.getOrDefault(path, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return !path.endsWith("until-close");
    }
}
