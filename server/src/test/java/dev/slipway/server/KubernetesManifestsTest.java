package dev.slipway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The manifests in deploy/kubernetes are what docs/kubernetes.md tells users to apply: they parse as Kubernetes
 * objects, the Deployment's arguments are ones {@code slipway server} accepts (with the state in the cluster and the
 * kubernetes backend), the Role grants exactly the verbs Slipway uses, and names and ports refer to each other.
 */
public class KubernetesManifestsTest {
    private static final Path DIR = Path.of("..", "deploy", "kubernetes");

    @Test
    void theManifestsParseAndReferToEachOther() throws IOException {
        List<HasMetadata> objects = objects();
        assertThat(objects).extracting(HasMetadata::getKind)
                .contains("Namespace", "ServiceAccount", "Role", "RoleBinding", "Deployment", "Service");
        assertThat(objects).filteredOn(o -> !o.getKind().equals("Namespace"))
                .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo("slipway"));

        Deployment deployment = one(objects, Deployment.class);
        ServiceAccount account = one(objects, ServiceAccount.class);
        Role role = one(objects, Role.class);
        RoleBinding binding = one(objects, RoleBinding.class);
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(account.getMetadata().getName());
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo(account.getMetadata().getName()));

        Container slipway = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        List<String> names = slipway.getPorts().stream().map(ContainerPort::getName).toList();
        assertThat(slipway.getReadinessProbe().getTcpSocket().getPort().getStrVal()).as("ready once the router listens")
                .isEqualTo("http");
        List<Service> services = objects.stream().filter(Service.class::isInstance).map(Service.class::cast).toList();
        assertThat(services).allSatisfy(s -> s.getSpec().getPorts().forEach(p -> assertThat(p.getTargetPort().getStrVal()).isIn(names)));
        assertThat(services).as("the API: the leader alone; the router: every replica")
                .anySatisfy(s -> assertThat(s.getSpec().getSelector()).containsEntry(dev.slipway.backend.k8s.ReplicaRole.LABEL, "leader")
                        .extractingFromEntries(e -> e.getKey()).hasSize(2))
                .anySatisfy(s -> assertThat(s.getSpec().getSelector()).doesNotContainKey(dev.slipway.backend.k8s.ReplicaRole.LABEL)
                        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels()));
        String stateDir = slipway.getArgs().stream().filter(a -> a.startsWith("--state-dir=")).findFirst().orElseThrow().substring(12);
        assertThat(slipway.getVolumeMounts()).as("the work directory, and the access role logins in it")
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(stateDir))
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo(stateDir + "/registry-credentials.json"));
        assertThat(slipway.getEnv()).extracting(e -> e.getName())
                .contains("POD_NAME", "POD_NAMESPACE", "SLIPWAY_ACCESS_KEY_ID", "SLIPWAY_SECRET_ACCESS_KEY");
    }

    @Test
    void theDeploymentRunsTheServerWithTheKubernetesBackendAndTheStateInTheCluster() throws IOException {
        Container slipway = one(objects(), Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        List<String> args = slipway.getArgs().stream().map(a -> a.replace("$(POD_NAMESPACE)", "slipway")).toList();
        ServerCommand server = new ServerCommand();
        assertThat(new CommandLine(new SlipwayCli()).getSubcommands()).containsKey(args.get(0));
        new CommandLine(server).parseArgs(args.subList(1, args.size()).toArray(String[]::new));

        assertThat(server.backend).isEqualTo("kubernetes");
        assertThat(server.kubernetes.stateStore).isEqualTo("kubernetes");
        assertThat(server.kubernetes.namespace).isEqualTo("slipway");
        assertThat(server.bind).isEqualTo("0.0.0.0");
        assertThat(server.kubernetes.kubeServices).isTrue();
        assertThat(server.network.privateListeners).containsOnlyKeys("internal");
        int privatePort = com.google.common.net.HostAndPort.fromString(server.network.privateListeners.get("internal")).getPort();
        assertThat(slipway.getPorts()).extracting(ContainerPort::getContainerPort)
                .containsExactlyInAnyOrder(server.apiPort, server.routerPort, privatePort);
    }

    @Test
    void theRoleGrantsExactlyTheVerbsSlipwayUses() throws IOException {
        Map<String, TreeSet<String>> granted = new TreeMap<>();
        one(objects(), Role.class).getRules().forEach(rule -> rule.getApiGroups().forEach(group -> rule.getResources().forEach(
                resource -> granted.computeIfAbsent(group + "/" + resource, k -> new TreeSet<>()).addAll(rule.getVerbs()))));
        assertThat(granted).isEqualTo(Map.of(
                "/pods", new TreeSet<>(List.of("get", "list", "watch", "create", "delete", "patch")),
                "/pods/log", new TreeSet<>(List.of("get")),
                "/secrets", new TreeSet<>(List.of("get", "list", "create", "update", "delete", "deletecollection")),
                "/configmaps", new TreeSet<>(List.of("get", "list", "watch", "create", "update", "delete")),
                "/services", new TreeSet<>(List.of("list", "create", "update", "delete")),
                "networking.k8s.io/networkpolicies", new TreeSet<>(List.of("get", "create", "update", "delete", "deletecollection")),
                "coordination.k8s.io/leases", new TreeSet<>(List.of("get", "list", "watch", "create", "update", "patch", "delete")),
                "metrics.k8s.io/pods", new TreeSet<>(List.of("get"))));
    }

    /** What the Role grants, as {@code <group>/<resource> <verb>} (the form TestCluster#verbsUsed reports). */
    public static java.util.Set<String> roleGrants() throws IOException {
        java.util.Set<String> grants = new TreeSet<>();
        one(objects(), Role.class).getRules().forEach(rule -> rule.getApiGroups().forEach(group -> rule.getResources().forEach(
                resource -> rule.getVerbs().forEach(verb -> grants.add(group + "/" + resource + " " + verb)))));
        return grants;
    }

    private static List<HasMetadata> objects() throws IOException {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (String document : Files.readString(file).split("(?m)^---$")) {
                    if (!document.isBlank()) {
                        objects.add(serialization.unmarshal(document));
                    }
                }
            }
        }
        return objects;
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> kind) {
        List<T> of = objects.stream().filter(kind::isInstance).map(kind::cast).toList();
        assertThat(of).as(kind.getSimpleName()).hasSize(1);
        return of.get(0);
    }
}
