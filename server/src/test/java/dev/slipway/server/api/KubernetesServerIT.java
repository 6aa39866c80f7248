package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.backend.docker.Docker;
import dev.slipway.backend.k8s.TestCluster;
import dev.slipway.backend.k8s.TestKubelet;
import dev.slipway.core.testing.ClientLoop;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.server.SlipwayJar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway server --backend kubernetes} driven by the AWS CLI, on the test cluster (fabric8's mock API server
 * in CRUD mode; {@link TestKubelet} runs the pods as real containers): an image service (an ECR identifier mapped to
 * a local registry) served through the router, a re-pushed tag deployed with StartDeployment while a client loop sees
 * no failed request, pause, resume, and delete leaving no pod, no Secret and no container. With the state in the
 * cluster, a second replica waits for the Lease, and when the first stops it carries on from an empty state
 * directory, keeping the pods the first one started. What Slipway asked the API server for is within the Role of
 * deploy/kubernetes.
 */
class KubernetesServerIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*router on 127\\.0\\.0\\.1:(\\d+)");
    private static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    @TempDir
    Path tmp;

    private final List<AutoCloseable> closeLater = new java.util.ArrayList<>();
    private Docker.Registry registry;
    private TestCluster cluster;
    private KubernetesClient kube;

    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
    }

    /** A registry, a test cluster and a client of it, for each test. */
    @org.junit.jupiter.api.BeforeEach
    void cluster() throws Exception {
        registry = Docker.startRegistry(tmp.resolve("registry"));
        closeLater.add(registry);
        cluster = TestCluster.start();
        closeLater.add(cluster);
        kube = cluster.client();
        closeLater.add(kube);
    }

    @AfterEach
    void stop() throws Exception {
        java.util.Collections.reverse(closeLater);
        for (AutoCloseable c : closeLater) {
            c.close();
        }
    }

    @Test
    void theAwsCliRunsAnImageServiceAsPodsAndDeploysARePushedTagWithoutAFailedRequest() throws Exception {
        Docker.pushPage(registry.address() + "/team/page:1", "first");
        Path state = tmp.resolve("state");
        SlipwayJar server = SlipwayJar.start("server", "--backend", "kubernetes", "--kubernetes-api", cluster.apiServer(),
                "--namespace", "team", "--host-network", "--kubernetes-services", "--state-dir", state.toString(), "--api-port", "0", "--router-port", "0",
                "--registry-map", ECR + "=" + registry.address());
        closeLater.add(server);
        Matcher ports = server.awaitLine(LISTENING, Duration.ofMinutes(1));
        AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(ports.group(1)), state.resolve("credentials"));
        HttpProbe http = new HttpProbe(Integer.parseInt(ports.group(2)));

        String token = "token-" + java.util.UUID.randomUUID();
        String secretArn = aws.json("secretsmanager", "create-secret", "--name", "token", "--secret-string", token).get("ARN").asText();
        String arn = aws.ok("create-service", "--service-name", "paged", "--source-configuration",
                "{\"ImageRepository\":{\"ImageIdentifier\":\"" + ECR + "/team/page:1\",\"ImageRepositoryType\":\"ECR\","
                        + "\"ImageConfiguration\":{\"Port\":\"8080\",\"StartCommand\":\"exec httpd -f -p $PORT -h /www\","
                        + "\"RuntimeEnvironmentSecrets\":{\"TOKEN\":\"" + secretArn + "\"}}},"
                        + "\"AutoDeploymentsEnabled\":false}",
                "--health-check-configuration", "Protocol=HTTP,Path=/index.html,Interval=2,Timeout=1,HealthyThreshold=1,UnhealthyThreshold=3")
                .at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");
        String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
        assertThat(http.get(url).body()).isEqualTo("first\n");
        Pod pod = pods().get(0);
        assertThat(pod.getSpec().getContainers().get(0).getReadinessProbe().getHttpGet().getPath()).isEqualTo("/index.html");
        assertThat(kube.secrets().inNamespace("team").withLabel("app.kubernetes.io/managed-by", "slipway").list().getItems()).hasSize(1);
        assertThat(pod.getSpec().getContainers().get(0).getEnv()).as("the secret reaches the pod by a secretKeyRef only")
                .filteredOn(e -> e.getName().equals("TOKEN")).singleElement().satisfies(e -> {
                    assertThat(e.getValue()).isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("TOKEN");
                });
        assertThat(pod.toString()).doesNotContain(token);
        assertThat(kube.services().inNamespace("team").list().getItems()).as("--kubernetes-services").singleElement().satisfies(s -> {
            assertThat(s.getMetadata().getName()).isEqualTo("paged-" + arn.substring(arn.lastIndexOf('/') + 1, arn.lastIndexOf('/') + 9));
            assertThat(s.getSpec().getSelector()).isEqualTo(pod.getMetadata().getLabels().entrySet().stream()
                    .filter(e -> e.getKey().equals("app.kubernetes.io/managed-by") || e.getKey().equals("slipway.dev/service-id"))
                    .collect(java.util.stream.Collectors.toMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue)));
            assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getTargetPort().getStrVal()).isEqualTo("http"));
        });

        Docker.pushPage(registry.address() + "/team/page:1", "second");
        ClientLoop client = ClientLoop.start(() -> http.get(url));
        String deployment = aws.ok("start-deployment", "--service-arn", arn).get("OperationId").asText();
        aws.awaitOperation(arn, deployment, "SUCCEEDED");
        client.close();
        assertThat(client.failed()).as("failed requests while the re-pushed tag was deployed (of %s)", client.ok()).isZero();
        assertThat(client.ok()).isPositive();
        assertThat(http.get(url).body()).isEqualTo("second\n");
        assertThat(pods()).singleElement().satisfies(p -> assertThat(p.getMetadata().getName()).isNotEqualTo(pod.getMetadata().getName()));

        aws.ok("pause-service", "--service-arn", arn);
        aws.awaitStatus(arn, "PAUSED");
        assertThat(pods()).isEmpty();
        aws.ok("resume-service", "--service-arn", arn);
        aws.awaitStatus(arn, "RUNNING");
        assertThat(http.get(url).body()).isEqualTo("second\n");

        aws.ok("delete-service", "--service-arn", arn);
        await().atMost(Duration.ofMinutes(1)).until(() -> aws.ok("list-services").get("ServiceSummaryList").isEmpty());
        assertThat(pods()).isEmpty();
        assertThat(kube.secrets().inNamespace("team").list().getItems()).isEmpty();
        assertThat(kube.configMaps().inNamespace("team").list().getItems()).isEmpty();
        assertThat(kube.services().inNamespace("team").list().getItems()).isEmpty();
        await().atMost(Duration.ofMinutes(1)).until(() -> Docker.containers(TestKubelet.CONTAINER_LABEL, "team." + pod.getMetadata().getName()).isEmpty()
                && cluster.kubelet().runningContainers() == 0);
        assertThat(cluster.verbsUsed()).as("what Slipway asked the API server for, against deploy/kubernetes/role.yaml")
                .isSubsetOf(dev.slipway.server.KubernetesManifestsTest.roleGrants());
    }

    private List<Pod> pods() {
        return kube.pods().inNamespace("team").withLabel("app.kubernetes.io/managed-by", "slipway").list().getItems();
    }

    @Test
    void withTheStateInTheClusterASecondReplicaWaitsForTheLeaseThenCarriesOnFromAnEmptyStateDirectoryKeepingThePods() throws Exception {
        Docker.pushPage(registry.address() + "/team/page:1", "kept");
        java.util.Map<String, String> keys = java.util.Map.of("SLIPWAY_ACCESS_KEY_ID", "AKIDSLIPWAYREPLICAS1", "SLIPWAY_SECRET_ACCESS_KEY",
                "replicas-share-this-secret-key-0123456789", "SLIPWAY_MASTER_KEY", MASTER_KEY);
        String marker = "marker-" + java.util.UUID.randomUUID();
        SlipwayJar first = SlipwayJar.start(keys, replica(tmp.resolve("first")));
        closeLater.add(first);
        Matcher ports = first.awaitLine(LISTENING, Duration.ofMinutes(1));
        AwsCli aws = AwsCli.withKeys(Integer.parseInt(ports.group(1)), keys.get("SLIPWAY_ACCESS_KEY_ID"), keys.get("SLIPWAY_SECRET_ACCESS_KEY"));
        com.fasterxml.jackson.databind.JsonNode created = aws.ok("create-service", "--service-name", "kept", "--source-configuration",
                "{\"ImageRepository\":{\"ImageIdentifier\":\"" + ECR + "/team/page:1\",\"ImageRepositoryType\":\"ECR\","
                        + "\"ImageConfiguration\":{\"Port\":\"8080\",\"StartCommand\":\"exec httpd -f -p $PORT -h /www\","
                        + "\"RuntimeEnvironmentSecrets\":{\"TOKEN\":\"" + marker + "\"}}},"
                        + "\"AutoDeploymentsEnabled\":false}");
        String arn = created.at("/Service/ServiceArn").asText();
        String createdOperation = created.get("OperationId").asText();
        aws.awaitStatus(arn, "RUNNING");
        List<io.fabric8.kubernetes.api.model.Secret> state = kube.secrets().inNamespace("team").withLabel("slipway.dev/state", "slipway")
                .list().getItems();
        assertThat(state).as("the literal secret value is sealed in the state's Secrets").noneMatch(x -> x.getData().values().stream()
                .anyMatch(v -> new String(java.util.Base64.getDecoder().decode(v), java.nio.charset.StandardCharsets.UTF_8).contains(marker)));
        assertThat(state).extracting(x -> x.getMetadata().getAnnotations().getOrDefault("slipway.dev/document", x.getMetadata().getName()))
                .filteredOn(name -> !name.startsWith("keyset/")).hasSize(state.size() - 1)
                .as("the control Secret, and one per document: the service, its operation, connections, auto scaling and "
                        + "observability configurations, tags, secrets, VPC connectors and ingress connections, and the keyset "
                        + "they are sealed with")
                .containsExactlyInAnyOrder("slipway-state", "service/" + arn.substring(arn.lastIndexOf('/') + 1),
                        "operation/" + arn.substring(arn.lastIndexOf('/') + 1) + "/" + createdOperation, "connections",
                        "autoscaling", "observability", "tags", "secrets", "vpcconnectors", "ingressconnections");

        SlipwayJar second = SlipwayJar.start(keys, replica(tmp.resolve("second")));
        closeLater.add(second);
        second.awaitLine(Pattern.compile("Waiting to lead: Lease slipway-leader in namespace team.*"), Duration.ofMinutes(1));
        second.awaitLine(Pattern.compile("Leader: .*"), Duration.ofMinutes(1));
        assertThat(second.output()).as("a replica that does not lead does not serve").noneMatch(l -> l.contains("listening"));

        String servingPod = pods().get(0).getMetadata().getName();
        first.sigterm();
        first.awaitExit(Duration.ofMinutes(1));
        assertThat(first.output()).anyMatch(l -> l.contains("handing over"));
        Matcher again = second.awaitLine(LISTENING, Duration.ofMinutes(1));
        AwsCli aws2 = AwsCli.withKeys(Integer.parseInt(again.group(1)), keys.get("SLIPWAY_ACCESS_KEY_ID"), keys.get("SLIPWAY_SECRET_ACCESS_KEY"));
        aws2.awaitStatus(arn, "RUNNING");
        com.fasterxml.jackson.databind.JsonNode described = aws2.ok("describe-service", "--service-arn", arn);
        assertThat(described.at("/Service/SourceConfiguration/ImageRepository/ImageConfiguration/RuntimeEnvironmentSecrets/TOKEN").asText())
                .as("the next leader, given the same master key, reads the sealed value").isEqualTo(marker);
        String url = described.at("/Service/ServiceUrl").asText();
        assertThat(new HttpProbe(Integer.parseInt(again.group(2))).get(url).body()).isEqualTo("kept\n");
        assertThat(pods()).as("the pod the first leader started keeps serving").singleElement()
                .satisfies(p -> assertThat(p.getMetadata().getName()).isEqualTo(servingPod));
        assertThat(aws2.ok("list-operations", "--service-arn", arn).get("OperationSummaryList")).hasSize(1);
        aws2.ok("delete-service", "--service-arn", arn);
        await().atMost(Duration.ofMinutes(1)).until(() -> pods().isEmpty() && kube.secrets().inNamespace("team")
                .withLabel("slipway.dev/state", "slipway").list().getItems().stream().map(x -> x.getMetadata().getAnnotations())
                .noneMatch(a -> a != null && a.getOrDefault("slipway.dev/document", "").matches("(service|operation)/.*")));
        assertThat(cluster.verbsUsed()).as("what Slipway asked the API server for, against deploy/kubernetes/role.yaml")
                .contains("coordination.k8s.io/leases patch").isSubsetOf(dev.slipway.server.KubernetesManifestsTest.roleGrants());
    }

    @Test
    void everyReplicasRouterServesTheLeadersRoutesThroughADeploymentAndAKilledLeaderWithoutAFailedRequest() throws Exception {
        Docker.pushPage(registry.address() + "/team/page:1", "one");
        for (String pod : List.of("replica-a", "replica-b")) { // stand for the replicas' own pods (bound elsewhere)
            kube.pods().inNamespace("team").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(pod)
                    .endMetadata().withNewSpec().withNodeName("elsewhere").addNewContainer().withName("slipway").withImage("slipway")
                    .endContainer().endSpec().build()).create();
        }
        java.util.Map<String, String> keys = java.util.Map.of("SLIPWAY_ACCESS_KEY_ID", "AKIDSLIPWAYREPLICAS2", "SLIPWAY_SECRET_ACCESS_KEY",
                "replicas-share-this-secret-key-0123456789", "SLIPWAY_MASTER_KEY", MASTER_KEY);
        SlipwayJar leader = SlipwayJar.start(with(keys, "POD_NAME", "replica-a"), replica(tmp.resolve("a")));
        closeLater.add(leader);
        Matcher ports = leader.awaitLine(LISTENING, Duration.ofMinutes(1));
        SlipwayJar follower = SlipwayJar.start(with(keys, "POD_NAME", "replica-b"), replica(tmp.resolve("b")));
        closeLater.add(follower);
        HttpProbe followerRouter = new HttpProbe(Integer.parseInt(follower.awaitLine(
                Pattern.compile("Router on port (\\d+) serving the leader's routes.*"), Duration.ofMinutes(1)).group(1)));
        follower.awaitLine(Pattern.compile("Leader: replica-a"), Duration.ofMinutes(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> role("replica-a").equals("leader") && role("replica-b").equals("follower"));

        AwsCli aws = AwsCli.withKeys(Integer.parseInt(ports.group(1)), keys.get("SLIPWAY_ACCESS_KEY_ID"), keys.get("SLIPWAY_SECRET_ACCESS_KEY"));
        String arn = aws.ok("create-service", "--service-name", "shared", "--source-configuration",
                "{\"ImageRepository\":{\"ImageIdentifier\":\"" + ECR + "/team/page:1\",\"ImageRepositoryType\":\"ECR\","
                        + "\"ImageConfiguration\":{\"Port\":\"8080\",\"StartCommand\":\"exec httpd -f -p $PORT -h /www\"}},"
                        + "\"AutoDeploymentsEnabled\":false}",
                "--health-check-configuration", "Protocol=HTTP,Path=/index.html,Interval=2,Timeout=1,HealthyThreshold=1,UnhealthyThreshold=3")
                .at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");
        String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> followerRouter.get(url).statusCode() == 200);
        assertThat(followerRouter.get(url).body()).as("the follower's router serves the leader's route").isEqualTo("one\n");

        ClientLoop client = ClientLoop.start(() -> followerRouter.get(url));
        Docker.pushPage(registry.address() + "/team/page:1", "two");
        String deployment = aws.ok("start-deployment", "--service-arn", arn).get("OperationId").asText();
        aws.awaitOperation(arn, deployment, "SUCCEEDED");
        await().atMost(Duration.ofSeconds(30)).until(() -> followerRouter.get(url).body().equals("two\n"));
        int duringDeployment = client.ok();

        leader.process().destroyForcibly(); // kill -9: the Lease expires, the follower leads
        Matcher again = follower.awaitLine(LISTENING, Duration.ofMinutes(2));
        assertThat(again.group(2)).as("the router the follower served with all along").isEqualTo(Integer.toString(followerRouter.port()));
        AwsCli aws2 = AwsCli.withKeys(Integer.parseInt(again.group(1)), keys.get("SLIPWAY_ACCESS_KEY_ID"), keys.get("SLIPWAY_SECRET_ACCESS_KEY"));
        aws2.awaitStatus(arn, "RUNNING");
        int atTakeover = client.ok();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.ok() > atTakeover + 20);
        client.close();
        assertThat(client.failed()).as("failed requests through the follower's router while the leader deployed (%s answered), "
                + "was killed and the follower took over (%s answered in all)", duringDeployment, client.ok()).isZero();
        assertThat(followerRouter.get(url).body()).isEqualTo("two\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> role("replica-b").equals("leader"));
        assertThat(cluster.verbsUsed()).as("what Slipway asked the API server for, against deploy/kubernetes/role.yaml")
                .isSubsetOf(dev.slipway.server.KubernetesManifestsTest.roleGrants());
        aws2.ok("delete-service", "--service-arn", arn);
        await().atMost(Duration.ofMinutes(1)).until(() -> pods().isEmpty());
    }

    /** The master key every replica is given, as a Secret would give it. */
    private static final String MASTER_KEY = java.util.Base64.getEncoder().encodeToString(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});

    private String role(String pod) {
        var labels = kube.pods().inNamespace("team").withName(pod).get().getMetadata().getLabels();
        return labels == null ? "" : labels.getOrDefault("slipway.dev/role", "");
    }

    private static java.util.Map<String, String> with(java.util.Map<String, String> env, String key, String value) {
        java.util.Map<String, String> more = new java.util.HashMap<>(env);
        more.put(key, value);
        return more;
    }

    private String[] replica(Path stateDir) {
        return new String[] {"server", "--backend", "kubernetes", "--kubernetes-api", cluster.apiServer(), "--namespace", "team",
                "--host-network", "--state-store", "kubernetes", "--state-dir", stateDir.toString(), "--api-port", "0",
                "--router-port", "0", "--registry-map", ECR + "=" + registry.address()};
    }
}
