package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.InvalidStateException;
import dev.slipway.core.ResourceNotFoundException;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.Timeouts;
import dev.slipway.core.model.*;
import dev.slipway.core.model.Runtime;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user story of the foundation, end to end with real parts: a JGit repository, the Java API, the local backend
 * running Python processes, and real HTTP through the Netty router.
 */
class SlipwayEndToEndIT {
    private static final Duration OP_TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path tmp;

    private Slipway slipway;
    private HttpProbe http;

    @BeforeEach
    void start() {
        slipway = Slipway.builder().backend("local").routerPort(0).stateDir(tmp.resolve("state"))
                .timeouts(new Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(20), Duration.ofSeconds(5)))
                .build();
        http = new HttpProbe(slipway.routerPort().orElseThrow());
    }

    @AfterEach
    void stop() {
        slipway.close();
    }

    @Test
    void deployFromGitThenRedeployUpdatePauseResumeAndDeleteWithoutFailedRequests() throws Exception {
        Path repo = tmp.resolve("repo");
        Git git = TestApps.gitRepositoryWithGreeter(repo, "Hello", "Jane");

        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder()
                .serviceName("greeter")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(repo.toUri().toString(),
                        SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), null)))
                .build());
        assertThat(created.service().status()).isEqualTo(ServiceStatus.OPERATION_IN_PROGRESS);
        assertThat(created.service().serviceUrl()).matches("greeter-[0-9a-f]{6}\\.localhost:\\d+");
        created.operation().awaitSuccess(OP_TIMEOUT);
        String arn = created.service().serviceArn();
        String url = created.service().serviceUrl();
        assertThat(describe(arn).status()).isEqualTo(ServiceStatus.RUNNING);
        assertThat(http.get(url).body()).isEqualTo("Hello, Jane!");
        List<String> deploymentLog = slipway.logLines("greeter", "deployment/" + created.operationId());
        assertThat(deploymentLog).anyMatch(l -> l.startsWith("[AppRunner] [1/6] Pulling source code"))
                .anyMatch(l -> l.startsWith("[Build] [build] $ python -m py_compile server.py"))
                .anyMatch(l -> l.contains("Checked out commit"));

        // a new commit, deployed while a client keeps calling: no request may fail
        Files.writeString(repo.resolve("server.py"), TestApps.pythonGreeter("Good morning"));
        TestApps.commitAll(git, "say good morning");
        try (ClientLoop loop = new ClientLoop(url)) {
            await().until(() -> loop.successes.get() > 5);
            StartDeploymentResponse deployment = slipway.startDeployment(new StartDeploymentRequest(arn));
            assertThatThrownBy(() -> slipway.startDeployment(new StartDeploymentRequest(arn)))
                    .isInstanceOf(InvalidStateException.class).hasMessageContaining("operation is in progress");
            deployment.operation().awaitSuccess(OP_TIMEOUT);
            await().until(() -> loop.bodies.contains("Good morning, Jane!"));
            int before = loop.successes.get();
            await().until(() -> loop.successes.get() > before + 5);
            loop.close();
            assertThat(loop.failures).as("requests that failed during the deployment").isEmpty();
            assertThat(loop.bodies).containsExactlyInAnyOrder("Hello, Jane!", "Good morning, Jane!");
        }
        assertThat(http.get(url).body()).isEqualTo("Good morning, Jane!");

        // a configuration change: the environment variable, through the API values
        slipway.updateService(UpdateServiceRequest.builder(arn).sourceConfiguration(SourceConfiguration.of(
                        new CodeRepository(repo.toUri().toString(), SourceCodeVersion.branch("main"),
                                CodeConfiguration.fromApi(new CodeConfigurationValues(Runtime.PYTHON_3, null,
                                        "python server.py", "8080", Map.of("NAME", "Joe"), null)), null)))
                .build()).operation().awaitSuccess(OP_TIMEOUT);
        assertThat(http.get(url).body()).isEqualTo("Good morning, Joe!");

        // pause: 503 with a clear body; deployments are refused while paused
        slipway.pauseService(new PauseServiceRequest(arn)).operation().awaitSuccess(OP_TIMEOUT);
        assertThat(describe(arn).status()).isEqualTo(ServiceStatus.PAUSED);
        HttpResponse<String> paused = http.get(url);
        assertThat(paused.statusCode()).isEqualTo(503);
        assertThat(paused.body()).contains("paused");
        assertThatThrownBy(() -> slipway.startDeployment(new StartDeploymentRequest(arn)))
                .isInstanceOf(InvalidStateException.class).hasMessageContaining("PAUSED");

        // resume: the same revision serves again, no rebuild
        slipway.resumeService(new ResumeServiceRequest(arn)).operation().awaitSuccess(OP_TIMEOUT);
        assertThat(http.get(url).statusCode()).isEqualTo(200);
        assertThat(http.get(url).body()).isEqualTo("Good morning, Joe!");

        // delete: nothing left running, the port is free, the host is unknown
        List<Endpoint> endpoints = endpointsOf(url);
        List<Long> pids = endpoints.stream().map(e -> pidOf("greeter", e.instanceId())).toList();
        assertThat(pids).isNotEmpty().allMatch(pid -> ProcessHandle.of(pid).isPresent());
        DeleteServiceResponse deleted = slipway.deleteService(new DeleteServiceRequest(arn));
        deleted.operation().awaitSuccess(OP_TIMEOUT);
        assertThat(pids).allMatch(pid -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        assertThat(endpoints).allMatch(e -> !HttpProbe.listening(e.port()));
        assertThat(http.get(url).statusCode()).isEqualTo(404);
        assertThatThrownBy(() -> describe(arn)).isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void failedBuildLeavesTheOldRevisionServingAndMarksTheOperationFailed() throws Exception {
        Path repo = tmp.resolve("repo");
        Git git = TestApps.gitRepositoryWithGreeter(repo, "Hello", "Jane");
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("sturdy")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(repo.toUri().toString(),
                        SourceCodeVersion.branch("main"), null, null))).build());
        created.operation().awaitSuccess(OP_TIMEOUT);
        String url = created.service().serviceUrl();

        Files.writeString(repo.resolve("server.py"), "this is not python(");
        TestApps.commitAll(git, "break the build");
        StartDeploymentResponse broken = slipway.startDeployment(new StartDeploymentRequest(created.service().serviceArn()));
        OperationSummary result = broken.operation().await(OP_TIMEOUT);

        assertThat(result.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(broken.operation().failureReason()).get().asString().contains("exited with code");
        assertThat(describe(created.service().serviceArn()).status()).isEqualTo(ServiceStatus.RUNNING);
        assertThat(http.get(url).body()).isEqualTo("Hello, Jane!");
        assertThat(slipway.logLines("sturdy", "deployment/" + broken.operationId()))
                .anyMatch(l -> l.startsWith("[Build]") && l.contains("SyntaxError"))
                .anyMatch(l -> l.contains("The previous revision keeps serving"));
    }

    @Test
    void appThatIgnoresPortFailsCreationWithAnErrorSayingSo() throws Exception {
        Path app = tmp.resolve("fixed-port");
        Files.createDirectories(app);
        Files.writeString(app.resolve("server.py"), "import time\nprint('listening on 8080, whatever PORT says', flush=True)\ntime.sleep(600)\n");
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nrun:\n  command: python server.py\n");
        restartWithStartupTimeout(Duration.ofSeconds(3));

        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("deaf")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toUri().toString(),
                        SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), null))).build());
        OperationSummary result = created.operation().await(OP_TIMEOUT);

        assertThat(result.status()).isEqualTo(OperationStatus.FAILED);
        assertThat(created.operation().failureReason()).get().asString()
                .contains("did not become healthy").contains("PORT environment variable")
                .contains("listening on 8080, whatever PORT says");
        assertThat(describe(created.service().serviceArn()).status()).isEqualTo(ServiceStatus.CREATE_FAILED);
        assertThatThrownBy(() -> slipway.startDeployment(new StartDeploymentRequest(created.service().serviceArn())))
                .isInstanceOf(InvalidStateException.class).hasMessageContaining("can only be deleted");
    }

    @Test
    void sourceDirectoryDeploysOneAppOfAMonorepo() throws Exception {
        Path repo = tmp.resolve("monorepo");
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            TestApps.writePythonGreeter(repo.resolve("services/greeter"), "Howdy", "Sam");
            Files.writeString(repo.resolve("README.md"), "many apps\n");
            TestApps.commitAll(git, "monorepo");
        }
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("mono-greeter")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(repo.toUri().toString(),
                        SourceCodeVersion.branch("main"), CodeConfiguration.fromRepository(), "/services/greeter"))).build());
        created.operation().awaitSuccess(OP_TIMEOUT);
        assertThat(http.get(created.service().serviceUrl()).body()).isEqualTo("Howdy, Sam!");

        CreateServiceResponse escaping = slipway.createService(CreateServiceRequest.builder().serviceName("escaping")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(repo.toUri().toString(),
                        SourceCodeVersion.branch("main"), null, "../../etc"))).build());
        assertThat(escaping.operation().await(OP_TIMEOUT).status()).isEqualTo(OperationStatus.FAILED);
        assertThat(escaping.operation().failureReason()).get().asString().contains("SourceDirectory '../../etc' is not a directory");

        CreateServiceResponse noBranch = slipway.createService(CreateServiceRequest.builder().serviceName("no-branch")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(repo.toUri().toString(),
                        SourceCodeVersion.branch("develop"), null, "services/greeter"))).build());
        assertThat(noBranch.operation().await(OP_TIMEOUT).status()).isEqualTo(OperationStatus.FAILED);
        assertThat(noBranch.operation().failureReason()).get().asString().contains("develop").contains("main");
    }

    @Test
    void crashedInstanceIsReplaced() throws Exception {
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Ann");
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("phoenix")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(),
                        SourceCodeVersion.branch("main"), null, null))).build());
        created.operation().awaitSuccess(OP_TIMEOUT);
        String url = created.service().serviceUrl();
        Endpoint first = endpointsOf(url).get(0);
        long pid = pidOf("phoenix", first.instanceId());

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<Endpoint> now = endpointsOf(url);
            return now.size() == 1 && !now.get(0).instanceId().equals(first.instanceId());
        });
        assertThat(http.get(url).body()).isEqualTo("Hello, Ann!");
        assertThat(slipway.logLines("phoenix", "events")).anyMatch(l -> l.contains(first.instanceId()) && l.contains("replacing it"));
    }

    @Test
    void instanceFailingItsHttpHealthCheckLeavesTheRouteAndIsReplaced() throws Exception {
        Path app = tmp.resolve("flaky");
        Files.createDirectories(app);
        Files.writeString(app.resolve("server.py"), FLAKY_APP);
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nrun:\n  command: python server.py\n");
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("flaky")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null)))
                .healthCheckConfiguration(new HealthCheckConfiguration(HealthCheckProtocol.HTTP, "/health", 1, 1, 1, 2))
                .build());
        created.operation().awaitSuccess(OP_TIMEOUT);
        String url = created.service().serviceUrl();
        Endpoint sick = endpointsOf(url).get(0);

        assertThat(http.send(url, java.net.http.HttpRequest.newBuilder().POST(java.net.http.HttpRequest.BodyPublishers.noBody()))
                .body()).isEqualTo("now unhealthy");

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            List<Endpoint> now = endpointsOf(url);
            return now.size() == 1 && !now.get(0).instanceId().equals(sick.instanceId());
        });
        assertThat(slipway.logLines("flaky", "events"))
                .anyMatch(l -> l.contains(sick.instanceId()) && l.contains("failed 2 health checks in a row"));
        assertThat(http.get(url).body()).isEqualTo("healthy");
    }

    @Test
    void httpHealthCheckThatNeverPassesFailsCreationNamingThePath() throws Exception {
        Path app = tmp.resolve("sick");
        Files.createDirectories(app);
        Files.writeString(app.resolve("server.py"), FLAKY_APP.replace("BROKEN = False", "BROKEN = True"));
        Files.writeString(app.resolve("apprunner.yaml"), "version: 1.0\nruntime: python3\nrun:\n  command: python server.py\n");
        restartWithStartupTimeout(Duration.ofSeconds(3));

        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("sick")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"), null, null)))
                .healthCheckConfiguration(new HealthCheckConfiguration(HealthCheckProtocol.HTTP, "/health", 1, 1, 1, 1))
                .build());

        assertThat(created.operation().await(OP_TIMEOUT).status()).isEqualTo(OperationStatus.FAILED);
        assertThat(created.operation().failureReason()).get().asString().contains("GET /health on port").contains("did not answer 2xx");
        assertThat(http.get(created.service().serviceUrl()).statusCode()).isEqualTo(503);
    }

    /** Answers GET /health with 200 until a POST flips it to 500 (per process, so a replacement is healthy again). */
    private static final String FLAKY_APP = """
            import os
            from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
            BROKEN = False
            class Handler(BaseHTTPRequestHandler):
                protocol_version = "HTTP/1.1"
                def reply(self, code, text):
                    body = text.encode()
                    self.send_response(code)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                def do_GET(self):
                    if self.path == "/health":
                        self.reply(500 if BROKEN else 200, "health")
                    else:
                        self.reply(200, "healthy")
                def do_POST(self):
                    global BROKEN
                    BROKEN = True
                    self.reply(200, "now unhealthy")
                def log_message(self, *args):
                    pass
            ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
            """;

    private void restartWithStartupTimeout(Duration startup) {
        slipway.close();
        slipway = Slipway.builder().routerPort(0).stateDir(tmp.resolve("state2"))
                .timeouts(new Timeouts(startup, Duration.ofSeconds(5), Duration.ofSeconds(2))).build();
        http = new HttpProbe(slipway.routerPort().orElseThrow());
    }

    private Service describe(String arn) {
        return slipway.describeService(new DescribeServiceRequest(arn)).service();
    }

    private List<Endpoint> endpointsOf(String url) {
        return slipway.routes().route(url).map(Route::endpoints).orElse(List.of());
    }

    private long pidOf(String service, String instanceId) {
        await().until(() -> slipway.logLines(service, "instance/" + instanceId).stream().anyMatch(l -> l.startsWith("pid=")));
        return slipway.logLines(service, "instance/" + instanceId).stream().filter(l -> l.startsWith("pid="))
                .map(l -> Long.parseLong(l.substring(4))).findFirst().orElseThrow();
    }


    /** A client calling the service in a loop from two threads, recording every failure. */
    private final class ClientLoop implements AutoCloseable {
        final AtomicInteger successes = new AtomicInteger();
        final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        final Set<String> bodies = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        ClientLoop(String url) {
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> {
                    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                    while (running.get() && System.nanoTime() < deadline) {
                        try {
                            HttpResponse<String> r = http.get(url);
                            if (r.statusCode() == 200) {
                                successes.incrementAndGet();
                                bodies.add(r.body());
                            } else {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                        } catch (IOException | InterruptedException e) {
                            failures.add(e.toString());
                        }
                    }
                }, "client-loop-" + i);
                t.start();
                threads.add(t);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }
    }
}
