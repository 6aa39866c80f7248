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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ComputeBackend} must do, run against the real backend by a subclass in its module. It knows
 * nothing of how a backend runs instances: the apps are shell commands and Python's standard library (which every
 * backend's python3 runtime has), they listen on the PORT and the address ({@link #bindAddress()}) the backend gives
 * them, and everything is observed through the SPI (events, output) and over the network.
 */
public abstract class ComputeBackendContract {
    protected static final String CONTROL_PLANE = "contract-" + UUID.randomUUID();

    @TempDir
    protected Path tmp;

    protected ComputeBackend backend;

    /** Creates the backend under test with its own work directory; called again to stand for a restarted control plane. */
    protected abstract ComputeBackend createBackend(Path workDir);

    /** The address an instance's app must listen on for the router to reach it at the handle's host. */
    protected abstract String bindAddress();

    @BeforeEach
    void createBackend() {
        backend = createBackend(tmp.resolve("work"));
    }

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    @Test
    void buildCommandsRunInOrderWithProgressAndInstancesServeTheBuiltWorkspace() throws Exception {
        List<String> progress = new CopyOnWriteArrayList<>();
        PreparedRevision revision = prepare(plan(List.of("echo pre > order.txt"), List.of("echo build >> order.txt"),
                List.of("echo post >> order.txt"), fileServer()), new BuildListener() {
            @Override
            public void output(String line) {
            }

            @Override
            public void progress(String step, int index, int total) {
                progress.add(index + "/" + total + " " + step);
            }
        });

        Observed instance = start(revision);
        awaitListening(instance.handle);

        assertThat(get(instance.handle, "/order.txt")).isEqualTo("pre\nbuild\npost\n");
        assertThat(progress).hasSize(3).allMatch(p -> p.matches("[123]/3 .*")).anyMatch(p -> p.contains("echo build"));
    }

    @Test
    void failedBuildCommandFailsThePreparationNamingTheCommandAndCode() {
        List<String> log = new CopyOnWriteArrayList<>();
        assertThatThrownBy(() -> prepare(plan(List.of(), List.of("echo compiling; exit 3"), List.of(), "true"), log::add))
                .isInstanceOf(BuildFailedException.class)
                .hasMessageContaining("echo compiling; exit 3").hasMessageContaining("exited with code 3");
        assertThat(log).anyMatch(l -> l.contains("compiling"));
    }

    @Test
    void buildEnvIsVisibleToBuildCommands() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        BuildPlan p = new BuildPlan(Runtime.PYTHON_3, Optional.empty(), List.of(), List.of("echo \"mode=$BUILD_MODE\""),
                List.of(), Map.of("BUILD_MODE", "release"), "true", 8080, Optional.empty(), Map.of(), Map.of());
        prepare(p, log::add);
        assertThat(log).anyMatch(l -> l.contains("mode=release"));
    }

    @Test
    void preRunCommandsRunAfterTheBuildAndWhatTheyMakeIsThereForTheApp() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        BuildPlan p = new BuildPlan(Runtime.PYTHON_3, Optional.empty(), List.of(), List.of("echo built > built.txt"), List.of(),
                Map.of(), "cat prepared.txt", 8080, Optional.empty(), Map.of(), Map.of(),
                List.of("test -f built.txt && echo pre-run-saw-the-build", "echo prepared > prepared.txt"));
        prepare(p, log::add);
        assertThat(log).anyMatch(l -> l.contains("pre-run-saw-the-build"));
    }

    @Test
    void aPreparationIsCancelledByInterruptingItsThread() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<PreparedRevision> preparing = thread.submit(() -> prepare(plan(List.of(), List.of("echo started; sleep 300"),
                    List.of(), "true"), log::add));
            await().atMost(Duration.ofSeconds(60)).until(() -> log.stream().anyMatch(l -> l.contains("started")));

            preparing.cancel(true);

            thread.shutdown();
            assertThat(thread.awaitTermination(20, TimeUnit.SECONDS)).as("the build stopped at once").isTrue();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void instanceGetsPortRunEnvironmentAndSecretsAndItsOutputIsLogged() throws Exception {
        BuildPlan p = new BuildPlan(Runtime.PYTHON_3, Optional.empty(), List.of(), List.of(), List.of(), Map.of(),
                "echo \"port=$PORT app_port=$APP_PORT greeting=$GREETING secret=$TOKEN\"; " + fileServer(),
                8000, Optional.of("APP_PORT"), Map.of("GREETING", "hi"), Map.of("TOKEN", "s3cret"));
        Observed instance = start(prepare(p, BuildListener.DISCARD));

        await().until(() -> !instance.output.isEmpty());
        assertThat(instance.output.get(0)).matches("port=(\\d+) app_port=\\1 greeting=hi secret=s3cret");
        awaitListening(instance.handle);
    }

    @Test
    void instancesStartedAtOnceRunSideBySideOnTheirOwnEndpoints() throws Exception {
        PreparedRevision revision = fileServerRevision();
        List<CompletableFuture<Observed>> starting = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            starting.add(CompletableFuture.supplyAsync(() -> start(revision)));
        }
        List<Observed> all = starting.stream().map(CompletableFuture::join).toList();
        all.forEach(o -> awaitListening(o.handle));
        assertThat(all.stream().map(o -> o.handle.host() + ":" + o.handle.port()).distinct()).hasSize(4);
        assertThat(all.stream().map(o -> o.handle.instanceId()).distinct()).hasSize(4);
    }

    @Test
    void exitOfAnInstanceIsAnEventWithItsCode() throws Exception {
        Observed instance = start(prepare(plan(List.of(), List.of(), List.of(), "echo bye; exit 7"), BuildListener.DISCARD));
        InstanceEvent.Exited exited = instance.exited.get(30, TimeUnit.SECONDS);
        assertThat(exited.exitCode()).isEqualTo(7);
        assertThat(exited.reason()).contains("7");
        assertThat(instance.output).contains("bye");
    }

    @Test
    void stopIsGracefulFirstThenForced() throws Exception {
        Observed stubborn = start(prepare(plan(List.of(), List.of(), List.of(), "trap '' TERM; echo ready; " + fileServer()),
                BuildListener.DISCARD));
        awaitListening(stubborn.handle);

        backend.stop(stubborn.handle, Duration.ofMillis(500));

        assertThat(stubborn.exited.get(10, TimeUnit.SECONDS).reason()).isEqualTo("stopped");
        assertThat(listening(stubborn.handle)).isFalse();
    }

    @Test
    void gracefulStopLetsTheAppFinish() throws Exception {
        Observed polite = start(prepare(plan(List.of(), List.of(), List.of(),
                "trap 'echo draining; exit 0' TERM; echo ready; while true; do sleep 0.1; done"), BuildListener.DISCARD));
        await().until(() -> polite.output.contains("ready"));

        backend.stop(polite.handle, Duration.ofSeconds(10));

        assertThat(polite.exited.get(10, TimeUnit.SECONDS).exitCode()).isZero();
        await().until(() -> polite.output.contains("draining"));
    }

    @Test
    void stoppingAnInstanceThatAlreadyExitedOrWasStoppedDoesNothing() throws Exception {
        Observed gone = start(prepare(plan(List.of(), List.of(), List.of(), "exit 0"), BuildListener.DISCARD));
        gone.exited.get(30, TimeUnit.SECONDS);

        backend.stop(gone.handle, Duration.ofSeconds(1));
        backend.stop(gone.handle, Duration.ofSeconds(1));

        assertThat(gone.events).hasSize(1);
    }

    @Test
    void resourceLimitsAreEnforcedWhereTheBackendHasThem() throws Exception {
        PreparedRevision revision = prepare(plan(List.of(), List.of(), List.of(),
                "python3 -c \"b = bytearray(400 * 1024 * 1024); print('allocated', flush=True)\"; sleep 300"), BuildListener.DISCARD)
                .withResources(new Resources(256, 128));
        Observed hungry = start(revision);
        if (backend.capabilities().resourceLimits()) {
            assertThat(hungry.events(Duration.ofSeconds(60))).anyMatch(e -> e instanceof InstanceEvent.OutOfMemory);
            assertThat(hungry.output).doesNotContain("allocated");
        } else {
            await().atMost(Duration.ofSeconds(30)).until(() -> hungry.output.contains("allocated"));
            assertThat(hungry.events).isEmpty();
        }
    }

    @Test
    void aRunningInstanceReportsTheMemoryItUsesAndItsLimitWhereTheBackendMeasuresIt() throws Exception {
        Observed o = start(fileServerRevision().withResources(new Resources(1024, 512)));
        awaitListening(o.handle);

        // a backend that samples (docker stats, metrics-server) may still have the sample of the process starting
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(backend.usage(o.handle)).hasValueSatisfying(u -> {
            assertThat(u.memoryBytes()).as("resident memory of a python web server").isBetween(1L << 20, 512L << 20);
            assertThat(u.memoryLimitBytes()).isEqualTo(512L << 20);
            assertThat(u.cpu()).isNotNegative();
        }));
        assertThat(backend.usage(o.handle)).as("a second sample").isPresent();
    }

    @Test
    void aDiscardedRevisionCannotStartAgain() throws Exception {
        PreparedRevision revision = fileServerRevision();
        backend.discard(revision);
        assertThatThrownBy(() -> start(revision)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void closeStopsEveryInstance() throws Exception {
        PreparedRevision revision = fileServerRevision();
        Observed a = start(revision);
        Observed b = start(revision);
        awaitListening(a.handle);
        awaitListening(b.handle);

        backend.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> a.exited.isDone() && b.exited.isDone());
        assertThat(listening(a.handle)).isFalse();
        assertThat(listening(b.handle)).isFalse();
    }

    @Test
    void aRestartedControlPlaneAdoptsWhatItsPreviousRunLeftAndNothingElseAndKeepsItWhereTheBackendCan() throws Exception {
        Observed left = start(fileServerRevision());
        awaitListening(left.handle);

        ComputeBackend restarted = createBackend(tmp.resolve("work"));
        try {
            assertThat(restarted.adopt("another-control-plane")).isEmpty();
            List<AdoptedInstance> adopted = restarted.adopt(CONTROL_PLANE);

            assertThat(adopted).singleElement().satisfies(a -> {
                assertThat(a.spec()).isEqualTo(left.spec);
                assertThat(a.handle().instanceId()).isEqualTo(left.handle.instanceId());
                assertThat(a.handle().port()).isEqualTo(left.handle.port());
            });
            if (restarted.capabilities().keepsInstancesAcrossRestarts()) {
                Observed kept = new Observed(left.spec);
                restarted.attach(adopted.get(0).handle(), kept.listener());
                if (restarted.capabilities().platformHealthChecks()) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> kept.events.contains(new InstanceEvent.Ready(left.spec.instanceId())));
                }
                restarted.stop(adopted.get(0).handle(), Duration.ofSeconds(5));
                assertThat(kept.exited.get(30, TimeUnit.SECONDS).reason()).as("the kept instance's end goes to its new listener").isEqualTo("stopped");
            } else {
                restarted.stop(adopted.get(0).handle(), Duration.ofSeconds(5));
            }
            assertThat(listening(left.handle)).isFalse();
        } finally {
            restarted.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** An instance and what the backend reported of it. */
    protected static final class Observed {
        public final InstanceSpec spec;
        public InstanceHandle handle;
        public final List<String> output = new CopyOnWriteArrayList<>();
        public final List<InstanceEvent> events = new CopyOnWriteArrayList<>();
        public final CompletableFuture<InstanceEvent.Exited> exited = new CompletableFuture<>();

        Observed(InstanceSpec spec) {
            this.spec = spec;
        }

        InstanceListener listener() {
            return new InstanceListener() {
                @Override
                public void output(String line) {
                    output.add(line);
                }

                @Override
                public void onEvent(InstanceEvent event) {
                    events.add(event);
                    if (event instanceof InstanceEvent.Exited e) {
                        exited.complete(e);
                    }
                }
            };
        }

        List<InstanceEvent> events(Duration within) {
            await().atMost(within).until(() -> !events.isEmpty());
            return events;
        }
    }

    protected PreparedRevision prepare(BuildPlan plan, BuildListener listener) throws IOException, BuildFailedException {
        Path source = tmp.resolve("src-" + UUID.randomUUID());
        Files.createDirectories(source);
        Files.writeString(source.resolve("hello.txt"), "hello\n");
        String revisionId = "rev-" + UUID.randomUUID().toString().substring(0, 8);
        return backend.prepare(new RevisionSpec("contract", "svc", revisionId, new RevisionSource.Build(source, plan),
                new RunConfiguration(Optional.of(plan.startCommand()), plan.port(), plan.portEnv(), plan.runEnv(),
                        plan.runSecrets(), Resources.DEFAULT)), listener);
    }

    /** A revision whose instances serve their workspace's files over HTTP. */
    protected PreparedRevision fileServerRevision() throws IOException, BuildFailedException {
        return prepare(plan(List.of(), List.of(), List.of(), fileServer()), BuildListener.DISCARD);
    }

    private String fileServer() {
        return "exec python3 -m http.server $PORT --bind " + bindAddress();
    }

    protected Observed start(PreparedRevision revision) {
        InstanceSpec spec = new InstanceSpec(CONTROL_PLANE, "arn:aws:apprunner:us-east-1:000000000000:service/contract/svc",
                "contract", revision.revisionId(), UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        Observed o = new Observed(spec);
        o.handle = backend.start(revision, spec, o.listener());
        return o;
    }

    protected static BuildPlan plan(List<String> pre, List<String> build, List<String> post, String start) {
        return new BuildPlan(Runtime.PYTHON_3, Optional.empty(), pre, build, post, Map.of(), start, 8080,
                Optional.empty(), Map.of(), Map.of());
    }

    protected static void awaitListening(InstanceHandle instance) {
        await().atMost(Duration.ofSeconds(30)).until(() -> listening(instance));
    }

    private static boolean listening(InstanceHandle h) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(h.host(), h.port()), 500);
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
