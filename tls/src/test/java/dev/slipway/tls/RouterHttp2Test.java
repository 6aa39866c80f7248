package dev.slipway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.tls.IssuedCertificate;
import dev.slipway.router.netty.NettyRouter;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 (chosen by ALPN) through the real router to an HTTP/1.1 instance, with the real curl: the same answers as
 * over HTTP/1.1, request and response bodies both ways, HEAD, the router's own pages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouterHttp2Test {
    private static final String HOST = "app.example.com";

    @TempDir
    static Path tmp;

    private final RoutingTable table = new RoutingTable();
    private NettyRouter router;
    private HttpServer upstream;
    private int https;
    private Path ca;

    @BeforeAll
    void start() throws Exception {
        LocalCertificateAuthority authority = LocalCertificateAuthority.open(tmp);
        ca = authority.rootCertificateFile();
        Map<String, IssuedCertificate> issued = new ConcurrentHashMap<>();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            byte[] body = (exchange.getRequestMethod() + " " + exchange.getRequestURI() + " proto="
                    + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto") + " host=" + exchange.getRequestHeaders().getFirst("Host")
                    + " h2=" + exchange.getRequestHeaders().keySet().stream().anyMatch(k -> k.toLowerCase().startsWith("x-http2"))
                    + " read=" + in.length).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Upstream", "yes");
            exchange.sendResponseHeaders(200, exchange.getRequestMethod().equals("HEAD") ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (!exchange.getRequestMethod().equals("HEAD")) {
                    out.write(body);
                }
            }
        });
        upstream.start();
        table.put(HOST, Optional.of(Route.serving("svc-id", "svc",
                List.of(new Endpoint("i-1", "127.0.0.1", upstream.getAddress().getPort())), 100)));
        router = NettyRouter.start(table, "127.0.0.1", 0);
        https = router.openHttps(0, name -> Optional.of(issued.computeIfAbsent(name == null ? "default.example" : name,
                n -> authority.issueAtOnce(List.of(n)).orElseThrow())));
    }

    @AfterAll
    void stop() {
        router.close();
        upstream.stop(0);
    }

    @Test
    void aGetOverHttp2ReachesTheInstanceAsHttp11() throws Exception {
        Curl.Result r = Curl.https(HOST, https, "/hello?x=1", ca, "--http2");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.httpVersion()).isEqualTo("HTTP/2");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET /hello?x=1 proto=https host=" + HOST + ":" + https + " h2=false read=0");
        assertThat(r.header("X-Upstream")).isEqualTo("yes");
    }

    @Test
    void bodiesGoBothWaysAndHeadHasNone() throws Exception {
        Curl.Result post = Curl.https(HOST, https, "/p", ca, "--http2", "--data-binary", "x".repeat(100_000));
        assertThat(post.exitCode()).as(post.stderr()).isZero();
        assertThat(post.body()).endsWith("read=100000");
        Curl.Result head = Curl.https(HOST, https, "/h", ca, "--http2", "-I");
        assertThat(head.exitCode()).as(head.stderr()).isZero();
        assertThat(head.status()).isEqualTo(200);
    }

    @Test
    void theRoutersOwnAnswersToo() throws Exception {
        Curl.Result r = Curl.https("nobody.example.com", https, "/", ca, "--http2");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.httpVersion()).isEqualTo("HTTP/2");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("nobody.example.com");
    }

    @Test
    void http11StillServedToClientsThatAskForIt() throws Exception {
        Curl.Result r = Curl.https(HOST, https, "/one", ca, "--http1.1");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.httpVersion()).isEqualTo("HTTP/1.1");
        assertThat(r.body()).startsWith("GET /one proto=https");
    }
}
