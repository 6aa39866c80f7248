package dev.slipway.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.*;
import dev.slipway.core.model.*;
import dev.slipway.core.spi.InstanceSpec;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image service on a real Docker engine through the Java API and the real router: served from a container with
 * its limits, env and start command; a killed container replaced; pause, resume and delete leaving no container.
 */
class DockerImageServiceTest {
    private static final Duration OP = Duration.ofMinutes(2);

    @TempDir
    Path tmp;

    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
    }

    @Test
    void anImageServiceRunsInAContainerWithItsLimitsAndIsReplacedPausedResumedAndDeleted() throws Exception {
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(0).stateDir(tmp.resolve("state")).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("boxed")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(Docker.BUSYBOX, new ImageConfiguration(
                            Map.of("GREETING", "Hello from a container"), null,
                            "mkdir -p /tmp/www && echo \"$GREETING\" > /tmp/www/index.html && exec httpd -f -p $PORT -h /tmp/www", "8080"),
                            ImageRepositoryType.ECR_PUBLIC), false, null))
                    .instanceConfiguration(new InstanceConfiguration("1024", "2048", null)).build());
            created.operation().awaitSuccess(OP);
            String arn = created.service().serviceArn();
            HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());
            String url = created.service().serviceUrl();
            assertThat(http.get(url).body()).isEqualTo("Hello from a container\n");
            assertThat(slipway.logLines("boxed", "deployment/" + created.operationId()))
                    .anyMatch(l -> l.contains("Image " + Docker.BUSYBOX + " is sha256:"));

            List<String> running = Docker.containers(InstanceSpec.SERVICE_NAME, "boxed");
            assertThat(running).hasSize(1);
            assertThat(Docker.run("inspect", "--format", "{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}", running.get(0)))
                    .isEqualTo("1000000000 " + 2048L * 1024 * 1024);

            Docker.run("kill", running.get(0));
            await().atMost(OP).until(() -> {
                List<String> now = Docker.containers(InstanceSpec.SERVICE_NAME, "boxed");
                return now.size() == 1 && !now.contains(running.get(0)) && http.get(url).statusCode() == 200;
            });

            slipway.pauseService(new PauseServiceRequest(arn)).operation().awaitSuccess(OP);
            assertThat(Docker.containers(InstanceSpec.SERVICE_NAME, "boxed")).isEmpty();
            assertThat(http.get(url).statusCode()).isEqualTo(503);
            slipway.resumeService(new ResumeServiceRequest(arn)).operation().awaitSuccess(OP);
            assertThat(http.get(url).body()).isEqualTo("Hello from a container\n");

            slipway.deleteService(new DeleteServiceRequest(arn)).operation().awaitSuccess(OP);
            assertThat(Docker.containers(InstanceSpec.SERVICE_NAME, "boxed")).isEmpty();
        }
    }

    @Test
    void onABridgeNetworkAnAppListeningOnItsFixedPortIsServedThroughAPortPublishedOnLoopback() throws Exception {
        String network = Docker.requireBridgeNetwork();
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(0).stateDir(tmp.resolve("state"))
                .backendSetting("docker.network", network).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("bridged")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(Docker.BUSYBOX, new ImageConfiguration(
                            null, null, "mkdir -p /tmp/www && echo \"fixed 8080, PORT=$PORT\" > /tmp/www/index.html "
                            + "&& exec httpd -f -p 8080 -h /tmp/www", "8080"), ImageRepositoryType.ECR_PUBLIC), false, null)).build());
            created.operation().awaitSuccess(OP);
            assertThat(new HttpProbe(slipway.routerPort().orElseThrow()).get(created.service().serviceUrl()).body())
                    .isEqualTo("fixed 8080, PORT=8080\n");
            String container = Docker.containers(InstanceSpec.SERVICE_NAME, "bridged").get(0);
            assertThat(Docker.run("inspect", "--format", "{{.HostConfig.NetworkMode}} {{json .HostConfig.PortBindings}}", container))
                    .startsWith(network + " {\"8080/tcp\":[{\"HostIp\":\"127.0.0.1\"");
        }
    }

    @Test
    void aSourceServiceIsBuiltIntoAnImageOnTheRuntimesBaseImageAndTheImageGoesWithTheService() throws Exception {
        Docker.requireDebianPython();
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(0).stateDir(tmp.resolve("state"))
                .backendSetting("docker.base-image.python3", Docker.DEBIAN_PYTHON).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("built")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"),
                            null, null))).build());
            created.operation().awaitSuccess(OP);
            assertThat(new HttpProbe(slipway.routerPort().orElseThrow()).get(created.service().serviceUrl()).body())
                    .isEqualTo("Hello, Jane!");
            String serviceId = created.service().serviceArn().substring(created.service().serviceArn().lastIndexOf('/') + 1);
            assertThat(slipway.logLines("built", "deployment/" + created.operationId()))
                    .anyMatch(l -> l.contains("Building image slipway/" + serviceId + ":") && l.contains("from " + Docker.DEBIAN_PYTHON))
                    .anyMatch(l -> l.contains("[Build] [build] $ python -m py_compile server.py"))
                    .anyMatch(l -> l.contains("Built image slipway/" + serviceId));
            assertThat(Docker.run("images", "-q", "slipway/" + serviceId)).isNotEmpty();

            slipway.deleteService(new DeleteServiceRequest(created.service().serviceArn())).operation().awaitSuccess(OP);
            assertThat(Docker.run("images", "-q", "slipway/" + serviceId)).as("the service's images go with it").isEmpty();
            assertThat(Docker.containers(InstanceSpec.SERVICE_NAME, "built")).isEmpty();
        }
    }

    @Test
    void containersOfADurableControlPlaneThatIsGoneAreKeptWhileItsDirectoryExists() throws Exception {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("durable-state"));
        String kept = Docker.run("create", "--label", ContainerOwners.OWNER_PID + "=999999", "--label", ContainerOwners.OWNER_START + "=then",
                "--label", ContainerOwners.KEEP_FOR + "=" + dir, "--label", InstanceSpec.CONTROL_PLANE + "=crashed", Docker.BUSYBOX, "sleep", "600");
        Docker.run("start", kept);
        var backend = new DockerBackendProvider().create(new dev.slipway.core.spi.BackendContext(tmp));
        try {
            backend.reapOrphans();
            assertThat(Docker.containers(InstanceSpec.CONTROL_PLANE, "crashed")).as("kept for its control plane to adopt").hasSize(1);
            dev.slipway.core.source.SourceFetcher.deleteTree(dir);
            assertThat(backend.reapOrphans()).isGreaterThanOrEqualTo(1);
            assertThat(Docker.containers(InstanceSpec.CONTROL_PLANE, "crashed")).as("nothing will adopt it now").isEmpty();
        } finally {
            backend.close();
        }
    }

    @Test
    void aSecondBuildFindsWhatTheFirstCachedNoImageCarriesTheCacheAndItGoesWithTheService() throws Exception {
        Docker.requireDebianPython();
        Path app = Files.createDirectories(tmp.resolve("cached"));
        Files.writeString(app.resolve("index.html"), "cached\n");
        Files.writeString(app.resolve("apprunner.yaml"), """
                version: 1.0
                runtime: python3
                build:
                  commands:
                    build:
                      - if [ -f "$PIP_CACHE_DIR/downloaded" ]; then echo cache-hit; else mkdir -p "$PIP_CACHE_DIR" && touch "$PIP_CACHE_DIR/downloaded" && echo cache-miss; fi
                run:
                  command: python3 -m http.server $PORT
                """);
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(-1).stateDir(tmp.resolve("state"))
                .backendSetting("docker.base-image.python3", Docker.DEBIAN_PYTHON).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("cached")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"),
                            null, null))).build());
            created.operation().awaitSuccess(OP);
            String arn = created.service().serviceArn();
            String serviceId = arn.substring(arn.lastIndexOf('/') + 1);
            assertThat(slipway.logLines("cached", "deployment/" + created.operationId())).anyMatch(l -> l.endsWith("[Build] cache-miss"));

            String second = slipway.startDeployment(new dev.slipway.core.api.StartDeploymentRequest(arn)).operationId();
            await().atMost(OP).until(() -> slipway.logLines("cached", "deployment/" + second).stream()
                    .anyMatch(l -> l.contains("completed successfully")));
            assertThat(slipway.logLines("cached", "deployment/" + second)).as("the second build finds the first one's cache")
                    .anyMatch(l -> l.endsWith("[Build] cache-hit"));
            String image = Docker.run("images", "--format", "{{.Repository}}:{{.Tag}}", "slipway/" + serviceId).lines().findFirst().orElseThrow();
            assertThat(Docker.run("run", "--rm", "--network", "none", "--entrypoint", "sh", image, "-c", "ls -A /slipway-cache 2>/dev/null | wc -l").trim())
                    .as("the image does not carry the cache").isEqualTo("0");
            assertThat(Docker.run("volume", "ls", "-q", "--filter", "name=slipway-cache-" + serviceId)).isNotBlank();

            slipway.deleteService(new DeleteServiceRequest(arn)).operation().awaitSuccess(OP);
            assertThat(Docker.run("volume", "ls", "-q", "--filter", "name=slipway-cache-" + serviceId)).as("the cache goes with the service").isBlank();
        }
    }

    @Test
    void aSlipwayThatNoLaterRunStartsOnAgainLeavesNoImageWhenClosed() throws Exception {
        Docker.requireDebianPython();
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Ada");
        String serviceId;
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(-1).stateDir(tmp.resolve("in-memory"))
                .backendSetting("docker.base-image.python3", Docker.DEBIAN_PYTHON).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("left")
                    .sourceConfiguration(SourceConfiguration.of(new CodeRepository(app.toString(), SourceCodeVersion.branch("main"),
                            null, null))).build());
            created.operation().awaitSuccess(OP);
            serviceId = created.service().serviceArn().substring(created.service().serviceArn().lastIndexOf('/') + 1);
            assertThat(Docker.run("images", "-q", "slipway/" + serviceId)).isNotEmpty();
        } // closed without deleting the service: its state is in memory, so nothing will take the image back
        assertThat(Docker.run("images", "-q", "slipway/" + serviceId)).as("the service's image after close()").isEmpty();
    }

    @Test
    void onTheHostsNetworkAnAppOnAFixedPortFailsWithinSecondsSayingWhyAndWhatToDo() throws Exception {
        assertThat(Docker.run("network", "ls", "--format", "{{.Name}}").lines()).as("an engine without a bridge network, as in CI")
                .doesNotContain("bridge");
        int fixed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            fixed = s.getLocalPort();
        }
        dev.slipway.core.Timeouts tenMinutesToStart = new dev.slipway.core.Timeouts(Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(5));
        try (Slipway slipway = Slipway.builder().backend("docker").routerPort(-1).stateDir(tmp.resolve("state"))
                .timeouts(tenMinutesToStart).build()) {
            CreateServiceResponse created = slipway.createService(CreateServiceRequest.builder().serviceName("fixed-port")
                    .sourceConfiguration(new SourceConfiguration(null, new ImageRepository(Docker.BUSYBOX, new ImageConfiguration(
                            Map.of(), null, "mkdir -p /tmp/www && exec httpd -f -p " + fixed + " -h /tmp/www", Integer.toString(fixed)),
                            ImageRepositoryType.ECR_PUBLIC), false, null)).build());
            // the startup timeout is ten minutes: failing at all within the wait proves the port was noticed
            assertThat(created.operation().await(OP).status()).isEqualTo(dev.slipway.core.model.OperationStatus.FAILED);
            assertThat(created.operation().failureReason()).get().asString()
                    .contains("listens on port " + fixed + ", not on port").contains("Change it to read PORT")
                    .contains("bridge network");
            assertThat(slipway.logLines("fixed-port", "deployment/" + created.operationId())).noneMatch(l -> l.contains("\tat "));
        }
    }

    @Test
    void containersOfAControlPlaneThatIsGoneAreRemoved() {
        String orphan = Docker.run("create", "--label", ContainerOwners.OWNER_PID + "=999999", "--label", ContainerOwners.OWNER_START + "=then",
                "--label", InstanceSpec.CONTROL_PLANE + "=gone", Docker.BUSYBOX, "sleep", "600");
        Docker.run("start", orphan);
        var backend = new DockerBackendProvider().create(new dev.slipway.core.spi.BackendContext(tmp));
        try {
            assertThat(backend.reapOrphans()).isGreaterThanOrEqualTo(1);
            assertThat(Docker.containers(InstanceSpec.CONTROL_PLANE, "gone")).isEmpty();
        } finally {
            backend.close();
        }
    }
}
