package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.spi.RouterTimeouts;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The router on each of its I/O transports (epoll is the default, io_uring on request, NIO the fallback): each loads
 * on these machines and proxies requests with bodies both ways, on kept-alive connections.
 */
class RouterTransportsTest {
    private static final String HOST = "svc-abc123.localhost";
    private static HttpServer upstream;

    @BeforeAll
    static void startUpstream() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> { // echoes the request body, reversed
            byte[] body = exchange.getRequestBody().readAllBytes();
            byte[] reversed = new StringBuilder(new String(body)).reverse().toString().getBytes();
            exchange.sendResponseHeaders(200, reversed.length == 0 ? -1 : reversed.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reversed);
            }
        });
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        upstream.stop(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void proxiesRequestsAndBodiesOn(String transport) throws Exception {
        RoutingTable table = new RoutingTable();
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc",
                List.of(new Endpoint("i-1", "127.0.0.1", upstream.getAddress().getPort())), 100)));
        try (NettyRouter router = NettyRouter.start(table, "127.0.0.1", 0, RouterTimeouts.DEFAULT, dev.slipway.core.spi.RouterLimits.DEFAULT, transport)) {
            assertThat(router.transportName()).isEqualTo(transport);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String big = "abcdefghij".repeat(20_000); // 200 KB each way: more than one read and one write
            for (int i = 0; i < 3; i++) { // the same kept-alive client connection
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + "/echo"))
                        .header("Host", HOST).POST(HttpRequest.BodyPublishers.ofString(big + i)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(new StringBuilder(big + i).reverse().toString());
            }
        }
    }
}
