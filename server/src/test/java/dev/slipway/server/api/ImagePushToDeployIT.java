package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.backend.docker.Docker;
import dev.slipway.core.Slipway;
import dev.slipway.core.push.Webhook;
import dev.slipway.core.testing.ClientLoop;
import dev.slipway.core.testing.HttpProbe;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image services with AutoDeploymentsEnabled on the Docker backend, with Debian's {@code docker-registry}: a
 * {@code docker push} of a new image to the tag deploys it, learned of from the registry's own notifications (its
 * {@code notifications.endpoints}, with the service's secret in an Authorization header) or by polling the registry's
 * API, with zero failed requests from a client loop running throughout.
 */
class ImagePushToDeployIT {
    private static final String ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

    @TempDir
    Path tmp;

    private Docker.Registry registry;
    private PushToDeployIT.Server server;

    @BeforeAll
    static void engine() {
        Docker.requireEngineAndBusybox();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private JsonNode create(String name) throws Exception {
        JsonNode created = server.aws().ok("create-service", "--service-name", name, "--source-configuration",
                "{\"ImageRepository\":{\"ImageIdentifier\":\"" + ECR + "/team/page:latest\",\"ImageRepositoryType\":\"ECR\","
                        + "\"ImageConfiguration\":{\"Port\":\"8080\",\"StartCommand\":\"exec httpd -f -p $PORT -h /www\"}},"
                        + "\"AutoDeploymentsEnabled\":true}");
        server.aws().awaitStatus(created.at("/Service/ServiceArn").asText(), "RUNNING");
        return created.get("Service");
    }

    private PushToDeployIT.Server start(Duration pollInterval) {
        return PushToDeployIT.Server.start(tmp.resolve("state"), Slipway.builder().backend("docker")
                .backendSetting("docker.registry-map." + ECR, registry.address()).pollInterval(pollInterval));
    }

    @Test
    void aDockerPushToTheTagDeploysItByTheRegistrysNotificationWithNoFailedRequest() throws Exception {
        registry = Docker.startRegistry(tmp.resolve("registry"));
        Docker.pushPage(registry.address() + "/team/page:latest", "one");
        server = start(Duration.ZERO);
        JsonNode service = create("pushed-image");
        String arn = service.get("ServiceArn").asText();
        String url = service.get("ServiceUrl").asText();
        HttpProbe probe = new HttpProbe(server.slipway().routerPort().orElseThrow());
        assertThat(probe.get(url).body()).isEqualTo("one\n");

        // the registry, restarted with a notification endpoint for the service (as its config.yml is edited)
        Webhook webhook = server.slipway().webhook(arn, false);
        int port = registry.port();
        registry.close();
        registry = Docker.startRegistry(tmp.resolve("registry"), null, null, port, """
                notifications:
                  endpoints:
                    - name: slipway
                      url: http://127.0.0.1:%d%s
                      headers:
                        Authorization: [Bearer %s]
                      timeout: 2s
                      threshold: 3
                      backoff: 1s
                """.formatted(server.api().port(), webhook.path(), webhook.secret()));

        String digest;
        try (ClientLoop loop = ClientLoop.start(() -> probe.get(url), body -> body.equals("one\n") || body.equals("two\n"))) {
            digest = Docker.pushPage(registry.address() + "/team/page:latest", "two");
            try {
                await().atMost(Duration.ofMinutes(2)).until(() -> probe.get(url).body().equals("two\n"));
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("the pushed image is not served; the service's events and the registry's log:\n"
                        + java.nio.file.Files.readString(server.state().resolve("logs/pushed-image/events.log")) + "\n"
                        + server.log("pushed-image", server.operations(arn).get(0).get("Id").asText()) + "\n"
                        + String.join("\n", java.nio.file.Files.readString(tmp.resolve("registry/registry.log")).lines()
                        .filter(l -> l.contains("notif") || l.contains("level=error")).limit(20).toList()), e);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> loop.ok() > 20);
            loop.close();
            assertThat(loop.failed()).isZero();
        }
        var ops = server.operations(arn);
        assertThat(ops).hasSize(2);
        assertThat(ops.get(0).get("Type").asText()).isEqualTo("START_DEPLOYMENT");
        assertThat(server.log("pushed-image", ops.get(0).get("Id").asText()))
                .contains("Automatic deployment of " + ECR + "/team/page:latest at " + digest + " (learned from a Docker registry webhook")
                .contains("Pulling image " + ECR + "/team/page:latest at " + digest);
    }

    @Test
    void aNewDigestOfTheTagIsFoundByPollingTheRegistry() throws Exception {
        registry = Docker.startRegistry(tmp.resolve("registry"));
        Docker.pushPage(registry.address() + "/team/page:latest", "one");
        server = start(Duration.ofSeconds(1));
        JsonNode service = create("polled-image");
        String url = service.get("ServiceUrl").asText();
        HttpProbe probe = new HttpProbe(server.slipway().routerPort().orElseThrow());
        assertThat(probe.get(url).body()).isEqualTo("one\n");

        String digest = Docker.pushPage(registry.address() + "/team/page:latest", "three");
        await().atMost(Duration.ofMinutes(2)).until(() -> probe.get(url).body().equals("three\n"));
        var ops = server.operations(service.get("ServiceArn").asText());
        assertThat(ops).hasSize(2);
        assertThat(server.log("polled-image", ops.get(0).get("Id").asText()))
                .contains("at " + digest + " (found by polling its registry)");
        // the tag's digest is deployed: more polls start nothing
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> server.operationCount(service.get("ServiceArn").asText()) == 2);
    }
}
