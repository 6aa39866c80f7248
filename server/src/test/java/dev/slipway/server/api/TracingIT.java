package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.core.Slipway;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tracing, end to end: an observability configuration with X-Ray tracing made with the AWS CLI, a service using it and
 * one that does not, real requests through the router, and a real OTLP/HTTP receiver that decodes the protobuf the
 * router exports. The traced app (Python) reads the traceparent it gets and reports its own child span (OTLP/JSON):
 * each request is one SERVER span of the service, with the app's span joined to it; an incoming traceparent is its
 * parent; the untraced service gets the headers as they came and makes no span.
 */
class TracingIT {
    private static final String INCOMING = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** A span as the receiver decoded it. */
    record Received(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
                    Map<String, String> attributes) {
    }

    @Test
    void eachTracedRequestIsOneServerSpanWithTheAppsSpanJoinedToIt() throws Exception {
        List<Received> spans = new CopyOnWriteArrayList<>();
        HttpServer receiver = receiver(spans);
        Path state = tmp.resolve("state");
        String otlp = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
        writeApp(tmp.resolve("traced"), otlp, "traced-app");
        writeApp(tmp.resolve("plain"), otlp, "plain-app");
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(state).allowedSourceDirectories(List.of(tmp))
                .otlpEndpoint(URI.create(otlp)).build()) {
            ApiServer api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
            try {
                AwsCli aws = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
                String xray = aws.ok("create-observability-configuration", "--observability-configuration-name", "xray-tracing",
                        "--trace-configuration", "Vendor=AWSXRAY").at("/ObservabilityConfiguration/ObservabilityConfigurationArn").asText();
                JsonNode traced = create(aws, "traced", "--observability-configuration",
                        "ObservabilityEnabled=true,ObservabilityConfigurationArn=" + xray);
                JsonNode plain = create(aws, "plain");
                HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());

                JsonNode untouched = JSON.readTree(http.get(plain.get("ServiceUrl").asText(), "/p", Map.of("traceparent", INCOMING)).body());
                assertThat(untouched.get("traceparent").asText()).as("an untraced service gets the header as it came").isEqualTo(INCOMING);
                assertThat(JSON.readTree(http.get(plain.get("ServiceUrl").asText(), "/p").body()).get("traceparent").asText()).isEmpty();

                List<JsonNode> seen = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    seen.add(JSON.readTree(http.get(traced.get("ServiceUrl").asText(), "/work?n=" + i).body()));
                }
                seen.add(JSON.readTree(http.get(traced.get("ServiceUrl").asText(), "/joined", Map.of("traceparent", INCOMING)).body()));
                await().atMost(Duration.ofSeconds(30)).until(() -> spans.stream().filter(s -> s.service().equals("traced")).count() == 6
                        && spans.stream().filter(s -> s.service().equals("traced-app")).count() == 6);

                List<Received> server = spans.stream().filter(s -> s.service().equals("traced")).toList();
                assertThat(spans).as("the untraced service makes no span").noneMatch(s -> s.service().equals("plain"));
                assertThat(server).allSatisfy(s -> {
                    assertThat(s.kind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER_VALUE);
                    assertThat(s.name()).isEqualTo("GET");
                    assertThat(s.attributes()).containsEntry("http.request.method", "GET").containsEntry("http.response.status_code", "200")
                            .containsKeys("slipway.queue.wait_ms", "slipway.upstream.duration_ms", "slipway.response.bytes", "slipway.instance.id");
                });
                for (JsonNode app : seen) {
                    String[] tp = app.get("traceparent").asText().split("-");
                    Received span = server.stream().filter(s -> s.spanId().equals(tp[2])).findFirst().orElseThrow(() ->
                            new AssertionError("no server span is the parent the app got: " + app));
                    assertThat(span.traceId()).isEqualTo(tp[1]);
                    assertThat(tp[3]).isEqualTo("01");
                    assertThat(app.get("amzn").asText()).isEqualTo("Root=1-" + tp[1].substring(0, 8) + "-" + tp[1].substring(8)
                            + ";Parent=" + tp[2] + ";Sampled=1");
                    Received child = spans.stream().filter(s -> s.spanId().equals(app.get("span").asText())).findFirst().orElseThrow();
                    assertThat(child.parentSpanId()).as("the app's span is the router span's child").isEqualTo(span.spanId());
                    assertThat(child.traceId()).isEqualTo(span.traceId());
                }
                Received joined = server.stream().filter(s -> s.attributes().get("url.path").equals("/joined")).findFirst().orElseThrow();
                assertThat(joined.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
                assertThat(joined.parentSpanId()).isEqualTo("00f067aa0ba902b7");
                Received started = server.stream().filter(s -> s.attributes().get("url.path").equals("/work")).findFirst().orElseThrow();
                assertThat(started.parentSpanId()).isEmpty();
                long epoch = Long.parseLong(started.traceId().substring(0, 8), 16);
                assertThat(epoch).as("X-Ray's trace ids begin with the time").isBetween(System.currentTimeMillis() / 1000 - 600,
                        System.currentTimeMillis() / 1000 + 60);
                assertThat(server).extracting(Received::traceId).doesNotHaveDuplicates();
            } finally {
                api.close();
            }
        } finally {
            receiver.stop(0);
        }
    }

    private JsonNode create(AwsCli aws, String name, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("create-service", "--service-name", name, "--source-configuration",
                "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + tmp.resolve(name)
                        + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}"));
        args.addAll(List.of(more));
        JsonNode service = aws.ok(args.toArray(String[]::new)).get("Service");
        aws.awaitStatus(service.get("ServiceArn").asText(), "RUNNING");
        return service;
    }

    /** An OTLP/HTTP traces endpoint: protobuf (the router's exporter) or JSON (the test app's), decoded into spans. */
    private static HttpServer receiver(List<Received> spans) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null && type.startsWith("application/json")) {
                for (JsonNode rs : JSON.readTree(body).path("resourceSpans")) {
                    String service = rs.at("/resource/attributes/0/value/stringValue").asText();
                    for (JsonNode ss : rs.path("scopeSpans")) {
                        for (JsonNode s : ss.path("spans")) {
                            spans.add(new Received(service, s.path("traceId").asText(), s.path("spanId").asText(),
                                    s.path("parentSpanId").asText(), s.path("name").asText(), s.path("kind").asInt(), Map.of()));
                        }
                    }
                }
            } else {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    String service = rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
                            .map(a -> a.getValue().getStringValue()).findFirst().orElse("");
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                            Map<String, String> attributes = new LinkedHashMap<>();
                            for (KeyValue kv : s.getAttributesList()) {
                                var v = kv.getValue();
                                attributes.put(kv.getKey(), v.hasStringValue() ? v.getStringValue() : v.hasIntValue()
                                        ? Long.toString(v.getIntValue()) : Double.toString(v.getDoubleValue()));
                            }
                            spans.add(new Received(service, hex(s.getTraceId()), hex(s.getSpanId()), hex(s.getParentSpanId()),
                                    s.getName(), s.getKindValue(), attributes));
                        }
                    }
                }
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static String hex(ByteString bytes) {
        return HexFormat.of().formatHex(bytes.toByteArray());
    }

    /**
     * A Python app that reads the traceparent it gets, reports a span of its own as its child (OTLP/JSON to
     * OTLP_ENDPOINT), and answers what it got: {"traceparent", "amzn" (X-Amzn-Trace-Id), "span" (its own span's id)}.
     */
    private static void writeApp(Path dir, String otlp, String name) throws Exception {
        TestApps.writePythonApp(dir, """
                import json, os, secrets, time, urllib.request
                from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
                class Handler(BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def do_GET(self):
                        tp = self.headers.get("traceparent", "")
                        span = secrets.token_hex(8)
                        parts = tp.split("-")
                        if len(parts) == 4:
                            now = str(time.time_ns())
                            report = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": os.environ["SPAN_SERVICE"]}}]},
                                      "scopeSpans": [{"scope": {"name": "app"}, "spans": [{"traceId": parts[1], "spanId": span,
                                      "parentSpanId": parts[2], "name": "app-work", "kind": 1, "startTimeUnixNano": now, "endTimeUnixNano": now}]}]}]}
                            request = urllib.request.Request(os.environ["OTLP_ENDPOINT"], data=json.dumps(report).encode(),
                                                             headers={"Content-Type": "application/json"})
                            urllib.request.urlopen(request, timeout=5).read()
                        body = json.dumps({"traceparent": tp, "amzn": self.headers.get("X-Amzn-Trace-Id", ""), "span": span}).encode()
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.write(body)
                    def log_message(self, *args):
                        pass
                server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler)
                server.daemon_threads = True
                server.serve_forever()
                """, Map.of("OTLP_ENDPOINT", otlp, "SPAN_SERVICE", name));
    }
}
