package dev.slipway.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.CreateServiceResponse;
import dev.slipway.core.api.DescribeServiceRequest;
import dev.slipway.core.api.StartDeploymentRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.ServiceStatus;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.routing.Endpoint;
import dev.slipway.core.routing.Route;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.TestApps;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciler through the Java API, on the in-memory fake backend: scaling, replacement with backoff, rollback. */
class ReconcilerTest {
    private static final Duration OP = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private Slipway slipway;
    private FakeBackend fake;
    private String arn;
    private String url;

    private final List<dev.slipway.core.events.AppRunnerEvent> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void createRunningService() throws Exception {
        fake = new FakeBackend();
        slipway = Slipway.builder().backend(fake).routerPort(-1).stateDir(tmp.resolve("state")).autoscaling(false)
                .eventListener(heard::add).timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1))).build();
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("fake-svc")
                .sourceConfiguration(SourceConfiguration.of(new CodeRepository(tmp.resolve("app").toString(),
                        SourceCodeVersion.branch("main"), null, null))).build());
        created.operation().awaitSuccess(OP);
        arn = created.service().serviceArn();
        url = created.service().serviceUrl();
    }

    @AfterEach
    void close() {
        if (slipway != null) {
            slipway.close();
        }
    }

    /**
     * A backend's start that hangs (an image pull, a pod that is not scheduled) holds no reconciler: a crash of the
     * serving instance meanwhile takes it out of the route at once, not once the start returns.
     */
    @Test
    void aStartThatHangsDoesNotHoldTheReconciler() throws Exception {
        Endpoint serving = endpoints().get(0);
        fake.startLatch = new CountDownLatch(1);
        var deployment = slipway.startDeployment(new StartDeploymentRequest(arn)).operation();
        await().atMost(OP).until(() -> fake.startsWaiting.get() == 1);

        try {
            fake.crash(serving.instanceId(), 137);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoints().isEmpty());
            assertThat(fake.startsWaiting.get()).isEqualTo(1);
        } finally {
            fake.startLatch.countDown();
        }
        assertThat(deployment.await(OP).status()).hasToString("SUCCEEDED");
        assertThat(endpoints()).hasSize(1);
        assertThat(fake.runningIds()).containsExactly(endpoints().get(0).instanceId());
    }

    /** close() while an instance's start still runs: it waits for the start and stops what it started. */
    @Test
    void closeStopsAnInstanceWhoseStartWasStillRunning() throws Exception {
        fake.startLatch = new CountDownLatch(1);
        slipway.scaleTo(arn, 2);
        await().atMost(OP).until(() -> fake.startsWaiting.get() == 1);

        Slipway closing = slipway;
        slipway = null;
        Thread closer = new Thread(closing::close);
        closer.start();
        fake.startLatch.countDown();
        closer.join(OP.toMillis());
        assertThat(closer.isAlive()).isFalse();
        assertThat(fake.starts.get()).isEqualTo(2);
        assertThat(fake.runningIds()).isEmpty();
    }

    @Test
    void scaleToStartsAndStopsInstancesAndTheRouteFollows() throws Exception {
        assertThat(endpoints()).hasSize(1);

        slipway.scaleTo(arn, 3).get(30, TimeUnit.SECONDS);
        assertThat(endpoints()).hasSize(3);
        assertThat(fake.runningIds()).hasSize(3);

        slipway.scaleTo(arn, 1).get(30, TimeUnit.SECONDS);
        assertThat(endpoints()).hasSize(1);
        assertThat(fake.runningIds()).containsExactly(endpoints().get(0).instanceId());
    }

    @Test
    void aCrashedInstanceIsReplacedAndFailingReplacementsBackOffExponentiallyWhileTheServiceStaysDescribable() {
        String first = endpoints().get(0).instanceId();
        fake.failingStarts.set(2);

        fake.crash(first, 137);

        await().atMost(Duration.ofSeconds(30)).until(() -> endpoints().size() == 1 && !endpoints().get(0).instanceId().equals(first));
        List<String> events = slipway.logLines("fake-svc", "events");
        assertThat(events).anyMatch(l -> l.contains(first) && l.contains("exited (exited with code 137); replacing it"));
        await().atMost(Duration.ofSeconds(10)).until(() -> heard.stream().anyMatch(e -> e.detailType().equals("Slipway Instance Replaced")));
        assertThat(heard.stream().filter(e -> e.detailType().equals("Slipway Instance Replaced")).findFirst().orElseThrow().detail())
                .containsEntry("InstanceId", first).containsEntry("Reason", "exited (exited with code 137)")
                .containsEntry("ServiceName", "fake-svc");
        assertThat(events).anyMatch(l -> l.contains("has 0 of 1 instances") && l.contains("trying again in 1.0s"));
        assertThat(events).anyMatch(l -> l.contains("has 0 of 1 instances") && l.contains("trying again in 2.0s"));
        assertThat(slipway.describeService(new DescribeServiceRequest(arn)).service().status()).isEqualTo(ServiceStatus.RUNNING);
        assertThat(fake.starts.get()).isEqualTo(4);
    }

    @Test
    void aRolloutWhoseInstanceExitsFailsAndTheServingInstanceStays() throws Exception {
        Endpoint serving = endpoints().get(0);
        fake.failingStarts.set(1);

        var deployment = slipway.startDeployment(new StartDeploymentRequest(arn)).operation();

        assertThat(deployment.await(OP).status()).hasToString("FAILED");
        assertThat(deployment.failureReason()).get().asString().contains("exited with code 3 before it became healthy")
                .contains("failing at once");
        assertThat(endpoints()).containsExactly(serving);
        assertThat(fake.runningIds()).containsExactly(serving.instanceId());
    }

    /**
     * A scale that lands while a deployment rolls out (as the autoscaler's, which read the service RUNNING just before):
     * the count is merged into the rollout, which succeeds with it, and the scale completes with it.
     */
    @Test
    void aScaleThatLandsDuringARolloutIsMergedIntoItAndFailsNothing() throws Exception {
        fake.startLatch = new CountDownLatch(1);
        var deployment = slipway.startDeployment(new StartDeploymentRequest(arn)).operation();
        await().atMost(OP).until(() -> fake.startsWaiting.get() == 1); // the rollout's first instance is being started

        var scaled = slipway.scaleTo(arn, 2);
        fake.startLatch.countDown();

        assertThat(deployment.await(OP).status()).hasToString("SUCCEEDED");
        scaled.get(30, TimeUnit.SECONDS);
        assertThat(endpoints()).hasSize(2);
        assertThat(fake.runningIds()).hasSize(2).containsExactlyInAnyOrderElementsOf(endpoints().stream().map(Endpoint::instanceId).toList());
        assertThat(slipway.logLines("fake-svc", "deployment/" + deployment.id())).noneMatch(l -> l.contains("superseded"));
    }

    private List<Endpoint> endpoints() {
        return slipway.routes().route(url).map(Route::endpoints).orElse(List.of());
    }
}
