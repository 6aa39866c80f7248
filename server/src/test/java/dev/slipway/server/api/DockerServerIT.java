package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.backend.docker.Docker;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.server.SlipwayJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway server --backend docker} driven by the AWS CLI: an image service in a real container, an ECR
 * identifier pulled from a local registry through --registry-map, then both gone.
 */
class DockerServerIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*router on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private SlipwayJar server;
    private AutoCloseable closeLater;

    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (closeLater != null) {
            closeLater.close();
        }
    }

    @Test
    void theAwsCliRunsAnImageServiceOnDocker() throws Exception {
        Path state = tmp.resolve("state");
        Docker.Registry registry = Docker.startRegistry(tmp.resolve("registry"));
        closeLater = registry;
        Docker.pushPage(registry.address() + "/team/page:7", "from-the-registry");
        server = SlipwayJar.start("server", "--backend", "docker", "--state-dir", state.toString(), "--api-port", "0", "--router-port", "0",
                "--registry-map", "123456789012.dkr.ecr.us-east-1.amazonaws.com=" + registry.address());
        Matcher ports = server.awaitLine(LISTENING, Duration.ofMinutes(1));
        AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(ports.group(1)), state.resolve("credentials"));

        String arn = aws.ok("create-service", "--service-name", "cli-boxed", "--source-configuration",
                "{\"ImageRepository\":{\"ImageIdentifier\":\"" + Docker.BUSYBOX + "\",\"ImageRepositoryType\":\"ECR_PUBLIC\","
                        + "\"ImageConfiguration\":{\"Port\":\"8080\",\"RuntimeEnvironmentVariables\":{\"GREETING\":\"hi from docker\"},"
                        + "\"StartCommand\":\"mkdir -p /tmp/www && echo $GREETING > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www\"}},"
                        + "\"AutoDeploymentsEnabled\":false}",
                "--instance-configuration", "Cpu=512,Memory=1024").at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");
        String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
        assertThat(new HttpProbe(Integer.parseInt(ports.group(2))).get(url).body()).isEqualTo("hi from docker\n");
        String container = Docker.containers(InstanceSpec.SERVICE_NAME, "cli-boxed").get(0);
        assertThat(Docker.run("inspect", "--format", "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}", container))
                .isEqualTo("500000000 " + 1024L * 1024 * 1024);
        // the engine's stats of the instance, sampled every 5 s, in /metrics (no signature needed for that path)
        java.net.http.HttpRequest scrape = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + ports.group(1) + "/metrics")).build();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                java.net.http.HttpClient.newHttpClient().send(scrape, java.net.http.HttpResponse.BodyHandlers.ofString()).body())
                .containsPattern("apprunner_CPUUtilization_percent\\{instance=\"[0-9a-f]+\",service=\"cli-boxed\"} [0-9.E-]+")
                .containsPattern("apprunner_MemoryUtilization_percent\\{instance=\"[0-9a-f]+\",service=\"cli-boxed\"} [0-9.E-]+"));

        String ecr = aws.ok("create-service", "--service-name", "cli-ecr", "--source-configuration",
                "{\"ImageRepository\":{\"ImageIdentifier\":\"123456789012.dkr.ecr.us-east-1.amazonaws.com/team/page:7\","
                        + "\"ImageRepositoryType\":\"ECR\",\"ImageConfiguration\":{\"Port\":\"8080\","
                        + "\"StartCommand\":\"exec httpd -f -p $PORT -h /www\"}},\"AutoDeploymentsEnabled\":false}")
                .at("/Service/ServiceArn").asText();
        aws.awaitStatus(ecr, "RUNNING");
        String ecrUrl = aws.ok("describe-service", "--service-arn", ecr).at("/Service/ServiceUrl").asText();
        assertThat(new HttpProbe(Integer.parseInt(ports.group(2))).get(ecrUrl).body()).isEqualTo("from-the-registry\n");
        aws.ok("delete-service", "--service-arn", ecr);

        aws.ok("delete-service", "--service-arn", arn);
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1))
                .until(() -> Docker.containers(InstanceSpec.SERVICE_NAME, "cli-boxed").isEmpty()
                        && Docker.containers(InstanceSpec.SERVICE_NAME, "cli-ecr").isEmpty()
                        && aws.ok("list-services").get("ServiceSummaryList").isEmpty());
    }

    @Test
    void aControlPlaneKilledWithKillDashNineKeepsItsContainerServingOnceRestartedAndLeavesNone() throws Exception {
        Path state = tmp.resolve("state");
        SlipwayJar first = SlipwayJar.start("server", "--backend", "docker", "--state-dir", state.toString(), "--api-port", "0",
                "--router-port", "0");
        server = first;
        Matcher ports = first.awaitLine(LISTENING, Duration.ofMinutes(1));
        AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(ports.group(1)), state.resolve("credentials"));
        String arn = aws.ok("create-service", "--service-name", "survivor", "--source-configuration",
                "{\"ImageRepository\":{\"ImageIdentifier\":\"" + Docker.BUSYBOX + "\",\"ImageRepositoryType\":\"ECR_PUBLIC\","
                        + "\"ImageConfiguration\":{\"Port\":\"8080\",\"StartCommand\":\"(i=0; while true; do i=$((i+1)); echo tick $i; "
                        + "sleep 0.05; done) & mkdir -p /tmp/www && echo alive > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www\"}},"
                        + "\"AutoDeploymentsEnabled\":false}")
                .at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");
        String before = Docker.containers(InstanceSpec.SERVICE_NAME, "survivor").get(0);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ticks(state).size() >= 10);

        first.process().destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS); // kill -9: nothing cleaned up
        assertThat(Docker.containers(InstanceSpec.SERVICE_NAME, "survivor")).containsExactly(before);

        SlipwayJar second = SlipwayJar.start("server", "--backend", "docker", "--state-dir", state.toString(), "--api-port", "0",
                "--router-port", "0");
        server = second;
        Matcher again = second.awaitLine(LISTENING, Duration.ofMinutes(1));
        AwsCli aws2 = AwsCli.withCredentialsFile(Integer.parseInt(again.group(1)), state.resolve("credentials"));
        HttpProbe http = new HttpProbe(Integer.parseInt(again.group(2)));
        String url = aws2.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> {
                java.util.List<String> now = Docker.containers(InstanceSpec.SERVICE_NAME, "survivor");
                return now.equals(java.util.List.of(before)) && "alive\n".equals(http.get(url).body());
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("containers " + Docker.containers(InstanceSpec.SERVICE_NAME, "survivor") + " (before: " + before
                    + "); the restarted server said:\n" + String.join("\n", second.output()), e);
        }

        int atRestart = ticks(state).size();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> ticks(state).size() >= atRestart + 20);
        java.util.List<Integer> ticks = ticks(state);
        assertThat(ticks).as("what the app printed, before, while no server ran, and after: no line lost, none twice")
                .isEqualTo(java.util.stream.IntStream.rangeClosed(1, ticks.size()).boxed().toList());

        second.sigterm();
        second.awaitExit(Duration.ofMinutes(1));
        assertThat(Docker.containers(InstanceSpec.SERVICE_NAME, "survivor")).as("stopped with the server").isEmpty();
    }

    /** The numbers of the {@code tick N} lines in the service's application logs, in order. */
    private static java.util.List<Integer> ticks(Path state) throws java.io.IOException {
        Path dir = state.resolve("logs").resolve("survivor").resolve("instance");
        if (!java.nio.file.Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        java.util.List<Integer> ticks = new java.util.ArrayList<>();
        Pattern tick = Pattern.compile("tick (\\d+)$");
        try (var files = java.nio.file.Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                for (String line : java.nio.file.Files.readAllLines(f)) {
                    Matcher m = tick.matcher(line);
                    if (m.find()) {
                        ticks.add(Integer.parseInt(m.group(1)));
                    }
                }
            }
        }
        return ticks;
    }

    /**
     * Scale to zero on Docker: an idle image service's container is gone (checked in the engine), the service RUNNING;
     * three concurrent requests then start one container, and all are answered.
     */
    @Test
    void anIdleImageServiceScalesToZeroAndWakesOnDocker() throws Exception {
        Path state = tmp.resolve("state");
        server = SlipwayJar.start("server", "--backend", "docker", "--state-dir", state.toString(), "--api-port", "0", "--router-port", "0",
                "--allow-scale-to-zero", "--idle-before-zero", "3");
        Matcher ports = server.awaitLine(LISTENING, Duration.ofMinutes(1));
        Path config = java.nio.file.Files.writeString(tmp.resolve("aws-config"), "[profile slipway]\nparameter_validation = false\n");
        AwsCli aws = new AwsCli(Integer.parseInt(ports.group(1)), java.util.Map.of("AWS_SHARED_CREDENTIALS_FILE",
                state.resolve("credentials").toString(), "AWS_PROFILE", "slipway", "AWS_CONFIG_FILE", config.toString()));
        String asc = aws.ok("create-auto-scaling-configuration", "--auto-scaling-configuration-name", "to-zero", "--min-size", "0",
                "--max-size", "2").at("/AutoScalingConfiguration/AutoScalingConfigurationArn").asText();
        String arn = aws.ok("create-service", "--service-name", "napping", "--auto-scaling-configuration-arn", asc,
                "--source-configuration", "{\"ImageRepository\":{\"ImageIdentifier\":\"" + Docker.BUSYBOX + "\",\"ImageRepositoryType\":"
                        + "\"ECR_PUBLIC\",\"ImageConfiguration\":{\"Port\":\"8080\",\"StartCommand\":\"mkdir -p /tmp/www && echo awake > "
                        + "/tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www\"}},\"AutoDeploymentsEnabled\":false}")
                .at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");
        String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
        HttpProbe router = new HttpProbe(Integer.parseInt(ports.group(2)));
        assertThat(router.get(url).body()).isEqualTo("awake\n");
        String first = Docker.containers(InstanceSpec.SERVICE_NAME, "napping").get(0);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Docker.containers(InstanceSpec.SERVICE_NAME, "napping").isEmpty());
        assertThat(aws.ok("describe-service", "--service-arn", arn).at("/Service/Status").asText()).isEqualTo("RUNNING");

        var answers = java.util.stream.IntStream.range(0, 3).mapToObj(i -> java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return router.get(url);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        })).toList();
        for (var a : answers) {
            assertThat(a.get(60, java.util.concurrent.TimeUnit.SECONDS).body()).isEqualTo("awake\n");
        }
        assertThat(Docker.containers(InstanceSpec.SERVICE_NAME, "napping")).as("one container started for the three")
                .singleElement().isNotEqualTo(first);
        aws.ok("delete-service", "--service-arn", arn);
    }
}
