package dev.slipway.backend.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.backend.docker.Docker;
import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.testing.ClientLoop;
import dev.slipway.core.testing.HttpProbe;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image service on the test cluster through the Java API and the real router: its pods carry the image pinned to
 * its digest, the limits, the probe and the secrets by reference only; a re-pushed tag is deployed by StartDeployment
 * while a client loop sees no failed request; pause leaves no pod, resume serves again, delete leaves no pod, no
 * Secret, no owner object and no container.
 */
class KubernetesImageServiceTest {
    private static final Duration OP = Duration.ofMinutes(2);
    private static final String START = "exec httpd -f -p $PORT -h /www";
    private static TestCluster cluster;
    private static Docker.Registry registry;
    private static KubernetesClient kube;

    @TempDir
    Path tmp;

    @BeforeAll
    static void cluster(@TempDir Path dir) throws Exception {
        Docker.requireEngineAndBusybox();
        registry = Docker.startRegistry(dir.resolve("registry"));
        cluster = TestCluster.start();
        kube = cluster.client();
    }

    @AfterAll
    static void stop() {
        kube.close();
        cluster.close();
        registry.close();
    }

    @Test
    void anImageServiceRunsAsPodsAndARePushedTagIsDeployedWithoutAFailedRequest() throws Exception {
        String tag = registry.address() + "/team/page:1";
        String first = Docker.pushPage(tag, "first");
        try (Slipway slipway = Slipway.builder().backend("kubernetes").routerPort(0).stateDir(tmp.resolve("state"))
                .backendSetting("kubernetes.api-server", cluster.apiServer()).backendSetting("kubernetes.namespace", "apps")
                .backendSetting("kubernetes.host-network", "true").build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("paged")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(tag, new ImageConfiguration(
                            Map.of("GREETING", "hello"), Map.of("API_TOKEN", "s3cret-token"), START, "8080"),
                            ImageRepositoryType.ECR_PUBLIC), false, null))
                    .instanceConfiguration(new InstanceConfiguration("1024", "2048", null)).build());
            created.operation().awaitSuccess(OP);
            String url = created.service().serviceUrl();
            HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());
            assertThat(http.get(url).body()).isEqualTo("first\n");

            Pod pod = pods().get(0);
            Container app = pod.getSpec().getContainers().get(0);
            assertThat(app.getImage()).isEqualTo(registry.address() + "/team/page@" + first);
            assertThat(app.getResources().getLimits()).containsEntry("cpu", new io.fabric8.kubernetes.api.model.Quantity("1000m"))
                    .containsEntry("memory", new io.fabric8.kubernetes.api.model.Quantity("2048Mi"));
            assertThat(app.getReadinessProbe().getTcpSocket()).isNotNull();
            assertThat(app.getEnv()).extracting(EnvVar::getName).contains("PORT", "GREETING", "API_TOKEN");
            assertThat(app.getEnv()).filteredOn(e -> e.getName().equals("API_TOKEN")).singleElement()
                    .satisfies(e -> assertThat(e.getValueFrom().getSecretKeyRef()).isNotNull());
            assertThat(kube.getKubernetesSerialization().asJson(pod)).doesNotContain("s3cret-token");
            assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("ConfigMap"));
            assertThat(pod.getMetadata().getAnnotations()).containsEntry("slipway.dev/service-arn", created.service().serviceArn());

            String second = Docker.pushPage(tag, "second");
            ClientLoop client = ClientLoop.start(() -> http.get(url), body -> body.equals("first\n") || body.equals("second\n"));
            StartDeploymentResponse redeploy = slipway.startDeployment(new StartDeploymentRequest(created.service().serviceArn()));
            redeploy.operation().awaitSuccess(OP);
            client.close();
            assertThat(client.failed()).as("failed requests during the deployment (of %s)", client.ok()).isZero();
            assertThat(client.ok()).isPositive();
            assertThat(http.get(url).body()).isEqualTo("second\n");
            assertThat(pods()).as("the old revision's pod is gone").hasSize(1);
            assertThat(kube.secrets().inNamespace("apps").withLabel(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).list().getItems())
                    .as("the replaced revision's Secret is discarded with it").singleElement()
                    .satisfies(s -> assertThat(s.getMetadata().getName()).contains(pods().get(0).getMetadata().getLabels().get("slipway.dev/revision")));
            assertThat(slipway.logLines("paged", "deployment/" + redeploy.operationId())).anyMatch(l -> l.contains("@" + second));

            slipway.pauseService(new PauseServiceRequest(created.service().serviceArn())).operation().awaitSuccess(OP);
            await().atMost(OP).until(() -> pods().isEmpty());
            slipway.resumeService(new ResumeServiceRequest(created.service().serviceArn())).operation().awaitSuccess(OP);
            assertThat(http.get(url).body()).isEqualTo("second\n");

            slipway.deleteService(new DeleteServiceRequest(created.service().serviceArn())).operation().awaitSuccess(OP);
            await().atMost(OP).until(() -> pods().isEmpty());
            assertThat(kube.secrets().inNamespace("apps").withLabel(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).list().getItems()).isEmpty();
            assertThat(kube.configMaps().inNamespace("apps").withLabel(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).list().getItems()).isEmpty();
            await().atMost(OP).until(() -> Docker.containers(TestKubelet.CONTAINER_LABEL, "apps." + pod.getMetadata().getName()).isEmpty());
            assertThat(cluster.kubelet().runningContainers()).isZero();
        }
    }

    @Test
    void withoutHostNetworkTheRouterReachesEachPodAtItsPodIpAndTheServicesOwnPort() throws Exception {
        String tag = registry.address() + "/team/own-port:1";
        Docker.pushPage(tag, "own-port");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort(); // the test cluster's pods share the host's network: a port nothing else uses
        }
        try (Slipway slipway = Slipway.builder().backend("kubernetes").routerPort(0).stateDir(tmp.resolve("state"))
                .backendSetting("kubernetes.api-server", cluster.apiServer()).backendSetting("kubernetes.namespace", "pod-ip").build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("own-port")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(tag, new ImageConfiguration(null, null,
                            START, Integer.toString(port)), ImageRepositoryType.ECR_PUBLIC), false, null)).build());
            created.operation().awaitSuccess(OP);

            assertThat(new HttpProbe(slipway.routerPort().orElseThrow()).get(created.service().serviceUrl()).body()).isEqualTo("own-port\n");
            Pod pod = kube.pods().inNamespace("pod-ip").list().getItems().get(0);
            assertThat(pod.getSpec().getHostNetwork()).isFalse();
            assertThat(pod.getSpec().getContainers().get(0).getEnv()).contains(new EnvVar("PORT", Integer.toString(port), null));
            assertThat(slipway.routes().routes().values()).flatExtracting(dev.slipway.core.routing.Route::endpoints)
                    .singleElement().satisfies(e -> assertThat(e.host() + ":" + e.port()).isEqualTo(pod.getStatus().getPodIP() + ":" + port));
        }
    }

    private static List<Pod> pods() {
        return kube.pods().inNamespace("apps").withLabel(PodSpecs.MANAGED_BY, PodSpecs.SLIPWAY).list().getItems();
    }
}
