package dev.slipway.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.backend.docker.Docker;
import dev.slipway.core.model.HealthCheckConfiguration;
import dev.slipway.core.model.HealthCheckProtocol;
import dev.slipway.core.spi.BackendContext;
import dev.slipway.core.spi.ComputeBackend;
import dev.slipway.core.spi.InstanceEvent;
import dev.slipway.core.spi.InstanceHandle;
import dev.slipway.core.spi.InstanceListener;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the Kubernetes backend does, on the test cluster: the health check becomes the pod's probes, and an image
 * the node cannot pull ends the instance with the registry's message.
 */
class KubernetesBackendTest {
    private static TestCluster cluster;
    private static KubernetesClient kube;
    private static ComputeBackend backend;
    private static Docker.Registry registry;
    private static String page;

    @BeforeAll
    static void cluster(@TempDir Path dir) throws Exception {
        Docker.requireEngineAndBusybox();
        registry = Docker.startRegistry(dir.resolve("registry"));
        page = registry.address() + "/team/page@" + Docker.pushPage(registry.address() + "/team/page:1", "ok");
        cluster = TestCluster.start();
        kube = cluster.client();
        backend = new KubernetesBackendProvider().create(new BackendContext(dir, Map.of("kubernetes.api-server", cluster.apiServer(),
                "kubernetes.namespace", "unit", "kubernetes.host-network", "true")));
    }

    @AfterAll
    static void stop() {
        backend.close();
        kube.close();
        cluster.close();
        registry.close();
    }

    @Test
    void theHealthCheckBecomesTheProbesAndReadinessComesFromThePodsReadyCondition() throws Exception {
        CompletableFuture<InstanceEvent> ready = new CompletableFuture<>();
        HealthCheckConfiguration http = new HealthCheckConfiguration(HealthCheckProtocol.HTTP, "/index.html", 3, 2, 2, 4);
        InstanceHandle handle = backend.start(revision(page, "exec httpd -f -p $PORT -h /www"),
                spec("probed"), http, listener(ready, e -> e instanceof InstanceEvent.Ready));

        assertThat(ready.get(60, TimeUnit.SECONDS)).isEqualTo(new InstanceEvent.Ready(handle.instanceId()));
        Container app = pod(handle).getSpec().getContainers().get(0);
        assertThat(app.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/index.html");
        assertThat(app.getReadinessProbe().getHttpGet().getPort().getIntVal()).isEqualTo(handle.port());
        assertThat(app.getReadinessProbe().getPeriodSeconds()).isEqualTo(3);
        assertThat(app.getReadinessProbe().getTimeoutSeconds()).isEqualTo(2);
        assertThat(app.getReadinessProbe().getSuccessThreshold()).isEqualTo(2);
        assertThat(app.getReadinessProbe().getFailureThreshold()).isEqualTo(4);
        assertThat(app.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/index.html");
        assertThat(app.getLivenessProbe().getFailureThreshold()).isEqualTo(4);
        assertThat(app.getStartupProbe()).isNotNull();
        assertThat(pod(handle).getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L);
        backend.stop(handle, Duration.ofSeconds(5));
        assertThat(pod(handle)).as("stop returns once the pod is gone").isNull();
    }

    @Test
    void anImageTheNodeCannotPullEndsTheInstanceWithTheRegistrysMessage() throws Exception {
        CompletableFuture<InstanceEvent> exited = new CompletableFuture<>();
        String missing = "127.0.0.1:1/nobody/nothing@sha256:" + "0".repeat(64);
        InstanceHandle handle = backend.start(revision(missing, "true"), spec("unpullable"), HealthCheckConfiguration.DEFAULT,
                listener(exited, e -> e instanceof InstanceEvent.Exited));

        InstanceEvent.Exited end = (InstanceEvent.Exited) exited.get(60, TimeUnit.SECONDS);
        assertThat(end.reason()).startsWith("cannot pull image " + missing + " (ErrImagePull: ").contains("127.0.0.1:1");
        backend.stop(handle, Duration.ofSeconds(1));
    }

    private static Pod pod(InstanceHandle handle) {
        return kube.pods().inNamespace("unit").withLabel(InstanceSpec.INSTANCE, handle.instanceId()).list().getItems()
                .stream().findFirst().orElse(null);
    }

    private static PreparedRevision revision(String image, String command) {
        return new PreparedRevision("svc1", "rev1", image, Map.of(), new RunConfiguration(Optional.of(command), 8080,
                Optional.empty(), Map.of(), Map.of(), new Resources(256, 256)));
    }

    private static InstanceSpec spec(String name) {
        return new InstanceSpec("unit-test", "arn:aws:apprunner:us-east-1:000000000000:service/" + name + "/svc1", name, "rev1",
                java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 16));
    }

    private static InstanceListener listener(CompletableFuture<InstanceEvent> first, java.util.function.Predicate<InstanceEvent> which) {
        return new InstanceListener() {
            @Override
            public void output(String line) {
            }

            @Override
            public void onEvent(InstanceEvent event) {
                if (which.test(event)) {
                    first.complete(event);
                }
            }
        };
    }
}
