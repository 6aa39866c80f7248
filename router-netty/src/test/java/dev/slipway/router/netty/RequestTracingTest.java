package dev.slipway.router.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.internal.routing.RoutingTable;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.spi.RouterLimits;
import dev.slipway.core.spi.RouterTimeouts;
import dev.slipway.core.spi.RouterTracing;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The router's spans against a real upstream and a real OTLP/HTTP receiver: a traced route's request is one SERVER
 * span whose context the instance gets (once: the client's trace headers are replaced, not repeated), a client's
 * traceparent is its parent, an untraced route passes the headers through untouched and makes no span.
 */
class RequestTracingTest {
    private static final String TRACED = "traced-abc123.localhost";
    private static final String PLAIN = "plain-def456.localhost";
    private static final String INCOMING = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private final RoutingTable table = new RoutingTable();
    private final List<Span> exported = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private HttpServer collector;
    private HttpServer upstream;
    private NettyRouter router;

    @AfterEach
    void stop() {
        if (router != null) {
            router.close();
        }
        collector.stop(0);
        upstream.stop(0);
    }

    @Test
    void aTracedRequestIsOneServerSpanWhoseContextTheInstanceGets() throws Exception {
        start();
        HttpResponse<String> fresh = get(TRACED, "/a?b=1", null);
        HttpResponse<String> joined = get(TRACED, "/joined", INCOMING);
        HttpResponse<String> plain = get(PLAIN, "/p", INCOMING);

        await().atMost(Duration.ofSeconds(10)).until(() -> exported.size() >= 2);
        assertThat(exported).hasSize(2);
        Span a = span("/a");
        Span j = span("/joined");
        assertThat(a.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
        assertThat(a.getParentSpanId().isEmpty()).isTrue();
        assertThat(hex(j.getTraceId())).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(hex(j.getParentSpanId())).isEqualTo("00f067aa0ba902b7");
        String tp = "00-" + hex(a.getTraceId()) + "-" + hex(a.getSpanId()) + "-01";
        assertThat(fresh.body()).isEqualTo("traceparent=[" + tp + "] amzn=[Root=1-" + hex(a.getTraceId()).substring(0, 8) + "-"
                + hex(a.getTraceId()).substring(8) + ";Parent=" + hex(a.getSpanId()) + ";Sampled=1]");
        assertThat(joined.body()).startsWith("traceparent=[00-4bf92f3577b34da6a3ce929d0e0e4736-" + hex(j.getSpanId()) + "-01]");
        assertThat(plain.body()).isEqualTo("traceparent=[" + INCOMING + "] amzn=[Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1]");
    }

    private void start() throws Exception {
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", ex -> {
            ExportTraceServiceRequest r = ExportTraceServiceRequest.parseFrom(ex.getRequestBody().readAllBytes());
            r.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> exported.addAll(ss.getSpansList())));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        collector.start();
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            byte[] body = ("traceparent=" + ex.getRequestHeaders().get("traceparent") + " amzn="
                    + ex.getRequestHeaders().get("X-Amzn-Trace-Id")).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.start();
        Endpoint e = new Endpoint("i-1", "127.0.0.1", upstream.getAddress().getPort());
        table.put(TRACED, Optional.of(Route.serving("traced-id", "traced", List.of(e), 100)));
        table.put(PLAIN, Optional.of(Route.serving("plain-id", "plain", List.of(e), 100)));
        table.trace(TRACED, true);
        router = NettyRouter.start(table, "127.0.0.1", 0, RouterTimeouts.DEFAULT, RouterLimits.DEFAULT,
                RouterTracing.otlp(URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces")));
    }

    private HttpResponse<String> get(String host, String path, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + router.port() + path)).header("Host", host)
                .header("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1");
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Span span(String path) {
        return exported.stream().filter(s -> s.getAttributesList().stream()
                .anyMatch(kv -> kv.getKey().equals("url.path") && kv.getValue().getStringValue().equals(path))).findFirst().orElseThrow();
    }

    private static String hex(com.google.protobuf.ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }
}
