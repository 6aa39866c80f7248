package dev.slipway.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.build.BuildFailedException;
import dev.slipway.core.build.BuildPlan;
import dev.slipway.core.model.Runtime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ComputeBackend} must do, run against the real backend by a subclass in its module. The apps are
 * shell commands and Python's standard library, which every backend's python3 runtime has.
 */
public abstract class ComputeBackendContract {
    @TempDir
    protected Path tmp;

    protected ComputeBackend backend;
    private final List<InstanceHandle> started = new CopyOnWriteArrayList<>();

    /** Creates the backend under test with its own work directory. */
    protected abstract ComputeBackend createBackend(Path workDir);

    @BeforeEach
    void createBackend() {
        backend = createBackend(tmp.resolve("work"));
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void buildCommandsRunInOrderAndInstancesServeTheBuiltWorkspace() throws Exception {
        PreparedRevision revision = prepare(plan(List.of("echo pre > order.txt"), List.of("echo build >> order.txt"),
                List.of("echo post >> order.txt"), "exec python3 -m http.server $PORT --bind 127.0.0.1", Map.of()), new CopyOnWriteArrayList<>());

        InstanceHandle instance = start(revision, Map.of(), new CopyOnWriteArrayList<>());
        awaitListening(instance);

        assertThat(get(instance, "/order.txt")).isEqualTo("pre\nbuild\npost\n");
    }

    @Test
    void failedBuildCommandFailsThePreparationNamingTheCommandAndCode() throws IOException {
        List<String> log = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> prepare(plan(List.of(), List.of("echo compiling; exit 3"), List.of(), "true", Map.of()), log))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("echo compiling; exit 3").hasMessageContaining("exited with code 3");
        assertThat(log).anyMatch(l -> l.contains("compiling"));
    }

    @Test
    void buildEnvIsVisibleToBuildCommands() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        BuildPlan p = new BuildPlan(Runtime.PYTHON_3, Optional.empty(), List.of(), List.of("echo \"mode=$BUILD_MODE\""),
                List.of(), Map.of("BUILD_MODE", "release"), "true", 8080, Optional.empty(), Map.of(), Map.of());
        prepare(p, log);
        assertThat(log).anyMatch(l -> l.contains("mode=release"));
    }

    @Test
    void instanceGetsPortAndRunEnvironmentAndItsOutputIsLogged() throws Exception {
        BuildPlan p = new BuildPlan(Runtime.PYTHON_3, Optional.empty(), List.of(), List.of(), List.of(), Map.of(),
                "echo \"port=$PORT app_port=$APP_PORT greeting=$GREETING secret=$TOKEN\"; exec python3 -m http.server $PORT --bind 127.0.0.1",
                8000, Optional.of("APP_PORT"), Map.of("GREETING", "hi"), Map.of());
        PreparedRevision revision = prepare(p, new CopyOnWriteArrayList<>());
        List<String> log = new CopyOnWriteArrayList<>();

        InstanceHandle instance = start(revision, Map.of("TOKEN", "s3cret"), log);

        await().until(() -> !log.isEmpty());
        assertThat(log.get(0)).isEqualTo("port=" + instance.port() + " app_port=" + instance.port() + " greeting=hi secret=s3cret");
        awaitListening(instance);
    }

    @Test
    void twoInstancesOfOneRevisionRunSideBySide() throws Exception {
        PreparedRevision revision = fileServerRevision();
        InstanceHandle a = start(revision, Map.of(), new CopyOnWriteArrayList<>());
        InstanceHandle b = start(revision, Map.of(), new CopyOnWriteArrayList<>());
        awaitListening(a);
        awaitListening(b);
        assertThat(a.port()).isNotEqualTo(b.port());
    }

    @Test
    void exitOfAnInstanceIsReported() throws Exception {
        PreparedRevision revision = prepare(plan(List.of(), List.of(), List.of(), "echo bye; exit 7", Map.of()), new CopyOnWriteArrayList<>());
        InstanceHandle instance = start(revision, Map.of(), new CopyOnWriteArrayList<>());
        assertThat(instance.exited().get(30, TimeUnit.SECONDS)).contains("7");
        assertThat(instance.isAlive()).isFalse();
    }

    @Test
    void stopIsGracefulFirstThenForcedForTheWholeProcessTree() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        PreparedRevision revision = prepare(plan(List.of(), List.of(), List.of(),
                "trap '' TERM; sleep 300 & echo child=$!; wait", Map.of()), new CopyOnWriteArrayList<>());
        InstanceHandle stubborn = start(revision, Map.of(), log);
        await().until(() -> log.stream().anyMatch(l -> l.startsWith("child=")));
        long child = Long.parseLong(log.get(0).substring("child=".length()));

        backend.stop(stubborn, Duration.ofMillis(500));

        assertThat(stubborn.isAlive()).isFalse();
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void gracefulStopLetsTheAppFinish() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        PreparedRevision revision = prepare(plan(List.of(), List.of(), List.of(),
                "trap 'echo draining; exit 0' TERM; echo ready; while true; do sleep 0.1; done", Map.of()), new CopyOnWriteArrayList<>());
        InstanceHandle polite = start(revision, Map.of(), log);
        await().until(() -> log.contains("ready"));

        backend.stop(polite, Duration.ofSeconds(10));

        assertThat(polite.exited().get(10, TimeUnit.SECONDS)).contains("0");
        await().until(() -> log.contains("draining"));
    }

    @Test
    void closeStopsEveryInstance() throws Exception {
        PreparedRevision revision = fileServerRevision();
        InstanceHandle a = start(revision, Map.of(), new CopyOnWriteArrayList<>());
        InstanceHandle b = start(revision, Map.of(), new CopyOnWriteArrayList<>());
        awaitListening(a);
        awaitListening(b);

        backend.close();

        assertThat(a.isAlive()).isFalse();
        assertThat(b.isAlive()).isFalse();
        assertThat(listening(a.port())).isFalse();
        assertThat(listening(b.port())).isFalse();
    }

    protected PreparedRevision prepare(BuildPlan plan, List<String> log) throws IOException, BuildFailedException {
        Path source = tmp.resolve("src-" + UUID.randomUUID());
        Files.createDirectories(source);
        Files.writeString(source.resolve("hello.txt"), "hello\n");
        return backend.prepare(new RevisionSpec("contract", "svc", "rev-" + UUID.randomUUID().toString().substring(0, 8),
                source, plan), log::add);
    }

    /** A revision whose instances serve their workspace's files over HTTP on PORT. */
    protected PreparedRevision fileServerRevision() throws IOException, BuildFailedException {
        return prepare(plan(List.of(), List.of(), List.of(), "exec python3 -m http.server $PORT --bind 127.0.0.1", Map.of()),
                new CopyOnWriteArrayList<>());
    }

    protected InstanceHandle start(PreparedRevision revision, Map<String, String> env, List<String> log) {
        InstanceHandle h = backend.start(revision, new InstanceSpec("contract", UUID.randomUUID().toString().substring(0, 12), env), log::add);
        started.add(h);
        return h;
    }

    protected static BuildPlan plan(List<String> pre, List<String> build, List<String> post, String start, Map<String, String> runEnv) {
        return new BuildPlan(Runtime.PYTHON_3, Optional.empty(), pre, build, post, Map.of(), start, 8080,
                Optional.empty(), runEnv, Map.of());
    }

    protected static void awaitListening(InstanceHandle instance) {
        await().atMost(Duration.ofSeconds(30)).until(() -> listening(instance.host(), instance.port()));
    }

    private static boolean listening(int port) {
        return listening("127.0.0.1", port);
    }

    private static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String get(InstanceHandle instance, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + instance.host() + ":"
                + instance.port() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
