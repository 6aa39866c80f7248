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
import dev.slipway.core.spi.Egress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import dev.slipway.core.spi.PreparedRevision;
import dev.slipway.core.spi.Resources;
import dev.slipway.core.spi.RunConfiguration;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
                "kubernetes.namespace", "unit", "kubernetes.host-network", "true", "security-group.only-db", "10.1.0.0/16:5432;10.2.0.0/16")));
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

    @Test
    void aVpcConnectorIsANetworkPolicyOnTheRevisionsPodsAllowingExactlyItsEgress() throws Exception {
        PreparedRevision attached = new PreparedRevision("svc1", "rev-vpc", page, Map.of(), new RunConfiguration(
                Optional.of("exec httpd -f -p $PORT -h /www"), 8080, Optional.empty(), Map.of(), Map.of(), new Resources(256, 256),
                new Egress(List.of("orders-db", "shared"), List.of("only-db"))));
        InstanceHandle handle = backend.start(attached, new InstanceSpec("unit-test", "arn:aws:apprunner:us-east-1:000000000000:service/vpc/svc1",
                "vpc", "rev-vpc", "vpcinstance00001"), HealthCheckConfiguration.DEFAULT, listener(new CompletableFuture<>(), e -> false));

        NetworkPolicy policy = kube.network().v1().networkPolicies().inNamespace("unit").withName("slipway-egress-rev-vpc").get();
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Egress");
        assertThat(pod(handle).getMetadata().getLabels()).as("the policy selects the revision's pods")
                .containsAllEntriesOf(policy.getSpec().getPodSelector().getMatchLabels());
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsEntry(InstanceSpec.REVISION, "rev-vpc");
        List<NetworkPolicyEgressRule> rules = policy.getSpec().getEgress();
        assertThat(rules.get(0).getTo()).as("DNS, anywhere").isEmpty();
        assertThat(rules.get(0).getPorts()).extracting(p -> p.getProtocol() + "/" + p.getPort().getIntVal()).containsExactly("UDP/53", "TCP/53");
        assertThat(rules.get(1).getTo()).extracting(t -> t.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
                .as("the subnets: namespaces").containsExactly("orders-db", "shared");
        assertThat(rules.subList(2, rules.size())).as("the security group's rules, nothing more")
                .extracting(r -> r.getTo().get(0).getIpBlock().getCidr() + (r.getPorts().isEmpty() ? "" : ":" + r.getPorts().get(0).getPort().getIntVal()))
                .containsExactly("10.1.0.0/16:5432", "10.2.0.0/16");
        backend.stop(handle, Duration.ofSeconds(5));

        PreparedRevision open = new PreparedRevision("svc1", "rev-open", page, Map.of(), attached.run().withEgress(new Egress(List.of("orders-db"), List.of())));
        InstanceHandle other = backend.start(open, new InstanceSpec("unit-test", "arn:aws:apprunner:us-east-1:000000000000:service/vpc/svc1",
                "vpc", "rev-open", "vpcinstance00002"), HealthCheckConfiguration.DEFAULT, listener(new CompletableFuture<>(), e -> false));
        List<NetworkPolicyEgressRule> openRules = kube.network().v1().networkPolicies().inNamespace("unit").withName("slipway-egress-rev-open")
                .get().getSpec().getEgress();
        assertThat(openRules.get(openRules.size() - 1)).as("no security group: all outbound, as App Runner's default group")
                .satisfies(r -> assertThat(r.getTo()).isEmpty()).satisfies(r -> assertThat(r.getPorts()).isEmpty());
        backend.stop(other, Duration.ofSeconds(5));

        backend.discard(attached);
        assertThat(kube.network().v1().networkPolicies().inNamespace("unit").withName("slipway-egress-rev-vpc").get())
                .as("gone with its revision").isNull();
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
