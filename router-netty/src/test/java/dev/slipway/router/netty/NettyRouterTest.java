package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.internal.routing.RoutingTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router against real upstream HTTP servers, through real sockets. */
class NettyRouterTest {
    private static final String HOST = "svc-abc123.localhost";

    private final RoutingTable table = new RoutingTable();
    private final List<HttpServer> upstreams = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private NettyRouter router;

    @BeforeEach
    void startRouter() {
        router = NettyRouter.start(table, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        router.close();
        upstreams.forEach(u -> u.stop(0));
    }

    @Test
    void unknownHostGets404SayingSo() throws Exception {
        HttpResponse<String> r = get("nobody.localhost");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).contains("No service is served at nobody.localhost");
    }

    @Test
    void pausedServiceAndServiceWithoutHealthyInstanceGet503WithAClearBody() throws Exception {
        table.put(HOST, Optional.of(Route.paused("svc-id", "svc")));
        HttpResponse<String> paused = get(HOST);
        assertThat(paused.statusCode()).isEqualTo(503);
        assertThat(paused.body()).contains("svc is paused");

        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(), 100)));
        HttpResponse<String> empty = get(HOST);
        assertThat(empty.statusCode()).isEqualTo(503);
        assertThat(empty.body()).contains("no healthy instance");
    }

    @Test
    void proxiesRequestsAddingForwardedHeaders() throws Exception {
        Endpoint e = upstream("one", exchange -> {
            var h = exchange.getRequestHeaders();
            respond(exchange, 200, "path=" + exchange.getRequestURI() + " xff=" + h.getFirst("X-Forwarded-For")
                    + " proto=" + h.getFirst("X-Forwarded-Proto") + " host=" + h.getFirst("X-Forwarded-Host"));
        });
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(e), 100)));

        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/hello?x=1")).header("Host", HOST + ":" + router.port()).GET());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("path=/hello?x=1 xff=127.0.0.1 proto=http host=" + HOST + ":" + router.port());
    }

    @Test
    void aDirectPortServesItsServiceWhateverTheHostHeaderSaysAndClosesWithIt() throws Exception {
        Endpoint e = upstream("one", exchange -> respond(exchange, 200, "direct " + exchange.getRequestURI()));
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(e), 100)));

        int port = router.openDirectPort(HOST + ":" + router.port(), 0);

        assertThat(router.openDirectPort(HOST, 0)).as("opened once").isEqualTo(port);
        HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/a?b=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(200);
        assertThat(plain.body()).isEqualTo("direct /a?b=1");
        assertThat(dev.slipway.core.testing.RawHttp.exchange(port, "GET /old HTTP/1.0\r\n\r\n", 5000))
                .as("HTTP/1.0 without a Host header").startsWith("HTTP/1.1 200 ").endsWith("direct /old");
        router.closeDirectPort(HOST);
        assertThat(dev.slipway.core.testing.HttpProbe.listening(port)).isFalse();
    }

    @Test
    void largeBodiesStreamBothWaysIntact() throws Exception {
        byte[] download = new byte[24 * 1024 * 1024];
        new Random(7).nextBytes(download);
        Endpoint e = upstream("digest", exchange -> {
            String uploaded;
            try (InputStream in = exchange.getRequestBody()) {
                uploaded = sha256(in.readAllBytes());
            }
            exchange.getResponseHeaders().set("X-Upload-Sha256", uploaded);
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (int off = 0; off < download.length; off += 65536) {
                    out.write(download, off, Math.min(65536, download.length - off));
                }
            }
        });
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(e), 100)));
        byte[] upload = new byte[24 * 1024 * 1024];
        new Random(42).nextBytes(upload);

        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/")).header("Host", HOST)
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofByteArray());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Upload-Sha256")).contains(sha256(upload));
        assertThat(sha256(r.body())).isEqualTo(sha256(download));
    }

    @Test
    void keepAliveConnectionsToInstancesAreReused() throws Exception {
        Set<Integer> upstreamClientPorts = ConcurrentHashMap.newKeySet();
        Endpoint e = upstream("pooled", exchange -> {
            upstreamClientPorts.add(exchange.getRemoteAddress().getPort());
            respond(exchange, 200, "ok");
        });
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(e), 100)));
        for (int i = 0; i < 20; i++) {
            assertThat(get(HOST).body()).isEqualTo("ok");
        }
        assertThat(upstreamClientPorts).hasSize(1);
    }

    @Test
    void concurrentRequestsSpreadOverInstancesByFewestInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Endpoint a = upstream("a", exchange -> {
            seen.add("a");
            awaitLatch(release);
            respond(exchange, 200, "a");
        });
        Endpoint b = upstream("b", exchange -> {
            seen.add("b");
            awaitLatch(release);
            respond(exchange, 200, "b");
        });
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(a, b), 100)));

        CompletableFuture<HttpResponse<String>> first = client.sendAsync(request(HOST), HttpResponse.BodyHandlers.ofString());
        await().until(() -> seen.size() == 1);
        CompletableFuture<HttpResponse<String>> second = client.sendAsync(request(HOST), HttpResponse.BodyHandlers.ofString());
        await().until(() -> seen.size() == 2);
        release.countDown();

        assertThat(List.of(first.get(10, TimeUnit.SECONDS).body(), second.get(10, TimeUnit.SECONDS).body()))
                .containsExactlyInAnyOrder("a", "b");
        // each lease is released once its response is written, which the client may see a moment before
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> table.inFlight("a") + table.inFlight("b") == 0);
    }

    @Test
    void instanceThatRefusesConnectionsGives502() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(new Endpoint("gone", "127.0.0.1", closedPort)), 100)));

        HttpResponse<String> r = get(HOST);

        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("Bad gateway");
        assertThat(table.inFlight("gone")).isZero();
    }

    @Test
    void requestBodyOfARejectedRequestIsDiscardedAndTheConnectionServesTheNextRequest() throws Exception {
        Endpoint e = upstream("after", exchange -> respond(exchange, 200, "next"));
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc", List.of(e), 100)));
        HttpResponse<String> rejected = client.send(HttpRequest.newBuilder(uri("/")).header("Host", "unknown.localhost")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(200_000))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rejected.statusCode()).isEqualTo(404);
        assertThat(get(HOST).body()).isEqualTo("next");
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private Endpoint upstream(String id, Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                handler.handle(exchange);
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        upstreams.add(server);
        return new Endpoint(id, "127.0.0.1", server.getAddress().getPort());
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpResponse<String> get(String host) throws IOException, InterruptedException {
        return client.send(request(host), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws IOException, InterruptedException {
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String host) {
        return HttpRequest.newBuilder(uri("/")).header("Host", host).GET().build();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + router.port() + path);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
