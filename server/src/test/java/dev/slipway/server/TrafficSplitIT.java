package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.DescribeServiceRequest;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.OperationStatus;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progressive deployments on the local backend, with real processes and HTTP through the router: at a 10 % step the
 * new revision's share of 1,000 requests is within a binomial bound, and its tagged URL ({@code <tag>--<domain>})
 * reaches it alone; a new revision that answers 500 is cut off by the router once its 5xx pass the allowed share and
 * rolled back, the failures a client sees staying within that share's budget.
 */
class TrafficSplitIT {
    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aTenPercentStepSendsTheNewRevisionItsShareAndItsTaggedUrlReachesItAlone() throws Exception {
        Path app = app("split-app", "v1", 200);
        try (Slipway slipway = slipway()) {
            var created = slipway.createService(CreateServiceRequest.builder().serviceName("split").sourceConfiguration(source(app))
                    .tag("slipway:traffic-steps", "10").tag("slipway:traffic-step-seconds", "30").tag("slipway:revision-tag", "canary")
                    .build());
            created.operation().awaitSuccess(Duration.ofMinutes(1));
            String arn = created.service().serviceArn();
            URI direct = URI.create("http://127.0.0.1:" + slipway.directPort(arn) + "/");
            assertThat(get(direct, null).body()).isEqualTo("v1");

            Files.writeString(app.resolve("version.txt"), "v2");
            var deployment = slipway.startDeployment(new StartDeploymentRequest(arn));
            String log = "deployment/" + deployment.operationId();
            await().atMost(Duration.ofMinutes(1)).until(() -> slipway.logLines("split", log).stream()
                    .anyMatch(l -> l.contains("Traffic: 10 % to revision")));

            int fresh = 0;
            for (int i = 0; i < 1000; i++) {
                HttpResponse<String> r = get(direct, null);
                assertThat(r.statusCode()).isEqualTo(200);
                fresh += r.body().equals("v2") ? 1 : 0;
            }
            assertThat(slipway.logLines("split", log)).as("still at the 10 %% step").noneMatch(l -> l.contains("Traffic switched"));
            // n = 1000, p = 0.1: mean 100, standard deviation 9.5; five of them either way
            assertThat(fresh).as("requests the new revision answered at its 10 %% step").isBetween(53, 147);
            String tagged = "canary--" + created.service().serviceUrl();
            for (int i = 0; i < 20; i++) {
                assertThat(get(URI.create("http://127.0.0.1:" + slipway.routerPort().orElseThrow() + "/"), tagged).body())
                        .as("the tag names the newer of the two revisions that have it").isEqualTo("v2");
            }

            deployment.operation().awaitSuccess(Duration.ofMinutes(2));
            assertThat(slipway.logLines("split", log)).anyMatch(l -> l.contains("Moving traffic to revision")
                    && l.contains("in steps of 10 %, 100 %, 30 s apart"));
            for (int i = 0; i < 20; i++) {
                assertThat(get(direct, null).body()).isEqualTo("v2");
            }
        }
    }

    @Test
    void aFailingNewRevisionIsRolledBackWithinItsFailureBudget() throws Exception {
        Path app = app("failing-app", "v1", 200);
        try (Slipway slipway = slipway()) {
            var created = slipway.createService(CreateServiceRequest.builder().serviceName("guarded").sourceConfiguration(source(app))
                    .tag("slipway:traffic-steps", "50,100").tag("slipway:traffic-step-seconds", "60")
                    .tag("slipway:rollback-5xx-percent", "5").build());
            created.operation().awaitSuccess(Duration.ofMinutes(1));
            String arn = created.service().serviceArn();
            URI direct = URI.create("http://127.0.0.1:" + slipway.directPort(arn) + "/");

            List<Integer> statuses = new CopyOnWriteArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread client = new Thread(() -> { // one request at a time: none is in flight when the router cuts the revision off
                while (running.get()) {
                    try {
                        statuses.add(get(direct, null).statusCode());
                    } catch (Exception e) {
                        statuses.add(-1);
                    }
                }
            }, "split-client");
            client.start();

            Files.writeString(app.resolve("status.txt"), "500");
            Files.writeString(app.resolve("version.txt"), "v2");
            var deployment = slipway.startDeployment(new StartDeploymentRequest(arn));
            await().atMost(Duration.ofMinutes(1)).until(() -> deployment.operation().future().isDone());
            int after = statuses.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> statuses.size() > after + 100);
            running.set(false);
            client.join(10_000);

            assertThat(deployment.operation().summary().status()).isEqualTo(OperationStatus.FAILED);
            long failed = statuses.stream().filter(s -> s != 200).count();
            // 5 % of at least 20 requests: one 5xx is within the share, the second passes it and cuts the revision off
            assertThat(failed).as("answers that were not 200 (%s requests)", statuses.size()).isBetween(1L, 2L);
            assertThat(statuses.subList(after, statuses.size())).as("after the rollback").containsOnly(200);
            assertThat(slipway.logLines("guarded", "deployment/" + deployment.operationId()))
                    .anyMatch(l -> l.contains("answered 2 of its") && l.contains("with 5xx, more than 5 %"));
            assertThat(slipway.describeService(new DescribeServiceRequest(arn)).service().status()).isEqualTo(ServiceStatus.RUNNING);
            assertThat(get(direct, null).body()).isEqualTo("v1");
        }
    }

    private Slipway slipway() {
        return Slipway.builder().routerPort(0).stateDir(tmp.resolve("state")).allowedSourceDirectories(List.of(tmp)).build();
    }

    private HttpResponse<String> get(URI uri, String host) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (host != null) {
            b.header("Host", host);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An app that answers every GET with its version.txt and the status in its status.txt, both read at its start. */
    private Path app(String name, String version, int status) throws Exception {
        Path app = Files.createDirectories(tmp.resolve(name));
        Files.writeString(app.resolve("version.txt"), version);
        Files.writeString(app.resolve("status.txt"), Integer.toString(status));
        Files.writeString(app.resolve("server.py"), """
                import http.server, os, socket
                BODY = open("version.txt").read().encode()
                STATUS = int(open("status.txt").read())
                class Handler(http.server.BaseHTTPRequestHandler):
                    protocol_version = "HTTP/1.1"
                    def setup(self):
                        super().setup()
                        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # head and body: two writes
                    def do_GET(self):
                        self.send_response(STATUS)
                        self.send_header("Content-Length", str(len(BODY)))
                        self.end_headers()
                        self.wfile.write(BODY)
                    def log_message(self, *args):
                        pass
                http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
                """);
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nrun:\n  command: python3 server.py\n");
        return app;
    }

    private static SourceConfiguration source(Path app) {
        return SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null));
    }
}
