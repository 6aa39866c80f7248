package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.server.SlipwayJar;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.MavenApps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Maven web app deployed through the AWS CLI to {@code slipway server} started as root, as a newcomer does: builds
 * and instances run as {@code slipway-app} (whose account has no home), Maven gets a home of the service's own, and
 * the second deployment of the unchanged project downloads nothing (a repository mirror served here counts what it
 * serves). The home goes with the service.
 */
class MavenBuildAsRootIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*router on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    @Test
    void aMavenAppBuildsAsTheAppsAccountAndItsSecondDeploymentDownloadsNothing() throws Exception {
        assertThat(System.getProperty("user.name")).as("these tests run as root, as CI does").isEqualTo("root");
        AtomicInteger downloads = new AtomicInteger();
        HttpServer mirror = MavenApps.mirror(downloads);
        Path state = tmp.resolve("state");
        Path app = MavenApps.writeMavenApp(tmp.resolve("apps/maven-app"), mirror.getAddress().getPort());
        try (SlipwayJar server = SlipwayJar.start("server", "--state-dir", state.toString(), "--api-port", "0",
                "--router-port", "0", "--allow-source-dir", tmp.resolve("apps").toString())) {
            Matcher ports = server.awaitLine(LISTENING, Duration.ofMinutes(1));
            AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(ports.group(1)), state.resolve("credentials"));
            HttpProbe http = new HttpProbe(Integer.parseInt(ports.group(2)));
            JsonNode created = aws.ok("create-service", "--service-name", "maven-app", "--source-configuration",
                    "{\"CodeRepository\":{\"RepositoryUrl\":\"" + app.toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}");
            String arn = created.at("/Service/ServiceArn").asText();
            String url = created.at("/Service/ServiceUrl").asText();
            aws.awaitOperation(arn, created.at("/OperationId").asText(), "SUCCEEDED");
            int first = downloads.get();
            assertThat(first).as("artifacts downloaded by the first deployment").isPositive();
            assertThat(http.get(url).body()).isEqualTo("hello from maven");
            Path log = state.resolve("logs");
            try (var files = Files.walk(log)) {
                assertThat(files.filter(Files::isRegularFile).map(MavenBuildAsRootIT::read))
                        .as("deployment logs").anyMatch(l -> l.contains("BUILD SUCCESS")).noneMatch(l -> l.contains("/nonexistent"));
            }

            String deployment = aws.ok("start-deployment", "--service-arn", arn).get("OperationId").asText();
            aws.awaitOperation(arn, deployment, "SUCCEEDED");
            assertThat(downloads.get()).as("artifacts downloaded by the second deployment of the unchanged project").isEqualTo(first);
            assertThat(http.get(url).body()).isEqualTo("hello from maven");

            String serviceId = arn.substring(arn.lastIndexOf('/') + 1);
            aws.ok("delete-service", "--service-arn", arn);
            org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() ->
                    aws.ok("list-services").findValuesAsText("ServiceName").isEmpty());
            try (var homes = Files.walk(Path.of("/var/lib/slipway/apps"), 3)) {
                assertThat(homes.filter(p -> p.getFileName().toString().equals(serviceId))).as("the service's home and revisions go with it").isEmpty();
            }
        } finally {
            mirror.stop(0);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
