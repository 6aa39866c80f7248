package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.RawHttp;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 cleartext with prior knowledge (h2c) on the router's plain port, with the real curl, to an instance that
 * speaks HTTP/1.1; and HTTP/1.1 on the same port, whose requests the router tells apart by their first bytes (methods
 * that begin with P as the HTTP/2 preface does included).
 */
class RouterH2cTest {
    private static final String HOST = "app-abc123.localhost";
    private static HttpServer upstream;
    private static NettyRouter router;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            byte[] body = (exchange.getRequestMethod() + " " + exchange.getRequestURI() + " proto="
                    + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto") + " read=" + in.length).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        RoutingTable table = new RoutingTable();
        table.put(HOST, Optional.of(Route.serving("svc-id", "app", List.of(new Endpoint("i-1", "127.0.0.1", upstream.getAddress().getPort())), 100)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        router.close();
        upstream.stop(0);
    }

    @Test
    void h2cWithPriorKnowledgeReachesAnHttp11Instance() throws Exception {
        Curl.Result get = Curl.http(HOST, router.port(), "/hello?x=1", "--http2-prior-knowledge");
        assertThat(get.exitCode()).as(get.stderr()).isZero();
        assertThat(get.httpVersion()).isEqualTo("HTTP/2");
        assertThat(get.body()).isEqualTo("GET /hello?x=1 proto=http read=0");

        Curl.Result post = Curl.http(HOST, router.port(), "/p", "--http2-prior-knowledge", "--data-binary", "x".repeat(100_000));
        assertThat(post.exitCode()).as(post.stderr()).isZero();
        assertThat(post.body()).isEqualTo("POST /p proto=http read=100000");

        Curl.Result missing = Curl.http("nobody.localhost", router.port(), "/", "--http2-prior-knowledge");
        assertThat(missing.httpVersion()).isEqualTo("HTTP/2");
        assertThat(missing.status()).isEqualTo(404);
    }

    @Test
    void http11RequestsOnTheSamePortAreToldApartFromThePreface() throws Exception {
        for (String method : List.of("POST", "PUT", "PATCH")) {
            String reply = RawHttp.exchange(router.port(), method + " /m HTTP/1.1\r\nHost: " + HOST
                    + "\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", 5000);
            assertThat(reply).startsWith("HTTP/1.1 200 OK\r\n").endsWith(method + " /m proto=http read=2");
        }
        String pri = RawHttp.exchange(router.port(), "PRI * HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n", 5000);
        assertThat(pri).as("not the preface: an HTTP/1.1 request, framed as any").startsWith("HTTP/1.1 ");
        Curl.Result curl = Curl.http(HOST, router.port(), "/plain", "--http1.1");
        assertThat(curl.httpVersion()).isEqualTo("HTTP/1.1");
        assertThat(curl.body()).isEqualTo("GET /plain proto=http read=0");
    }
}
