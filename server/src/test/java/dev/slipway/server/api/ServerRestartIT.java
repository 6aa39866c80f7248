package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.server.SlipwayJar;
import dev.slipway.core.testing.TestApps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway server} keeps everything across a restart, also after kill -9, and serves again without redeploying. */
class ServerRestartIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*router on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private final List<SlipwayJar> servers = new ArrayList<>();

    /** A running {@code slipway server} and its ports. */
    private record Server(Process process, int apiPort, int routerPort) {
    }

    @AfterEach
    void stopServers() throws InterruptedException {
        for (SlipwayJar server : servers) {
            server.close();
        }
    }

    @Test
    void everythingSurvivesKillDashNineAndAGracefulRestart() throws Exception {
        Path state = tmp.resolve("state");
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        String source = "{\"CodeRepository\":{\"RepositoryUrl\":\"" + app.toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}";

        Server first = start(state);
        AwsCli aws = AwsCli.withCredentialsFile(first.apiPort(), state.resolve("credentials"));
        String running = aws.ok("create-service", "--service-name", "keeper", "--source-configuration", source)
                .at("/Service/ServiceArn").asText();
        String paused = aws.ok("create-service", "--service-name", "sleeper", "--source-configuration", source)
                .at("/Service/ServiceArn").asText();
        String asc = aws.ok("create-auto-scaling-configuration", "--auto-scaling-configuration-name", "kept-config",
                "--max-concurrency", "42").at("/AutoScalingConfiguration/AutoScalingConfigurationArn").asText();
        aws.ok("create-connection", "--connection-name", "kept-conn", "--provider-type", "GITHUB");
        AwsCli.Result overQuota = aws.apprunner("create-service", "--service-name", "third", "--source-configuration", source);
        assertThat(overQuota.errorCode()).as("--quota services=2").isEqualTo("ServiceQuotaExceededException");
        assertThat(overQuota.stderr()).contains("quota of 2 services");
        aws.ok("tag-resource", "--resource-arn", running, "--tags", "Key=owner,Value=ops");
        aws.awaitStatus(running, "RUNNING");
        aws.awaitStatus(paused, "RUNNING");
        aws.ok("pause-service", "--service-arn", paused);
        aws.awaitStatus(paused, "PAUSED");
        assertThat(get(first, running, aws)).isEqualTo("Hello, Jane!");
        long orphan = instancePid(state, "keeper");

        first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS); // kill -9: nothing is cleaned up
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).contains(true);

        Server second = start(state);
        AwsCli again = AwsCli.withCredentialsFile(second.apiPort(), state.resolve("credentials"));
        // listed at once; the running one is busy (OPERATION_IN_PROGRESS, as App Runner's maintenance) until it serves
        await().atMost(Duration.ofMinutes(1)).until(() -> again.ok("list-services").get("ServiceSummaryList").findValuesAsText("Status")
                .equals(List.of("RUNNING", "PAUSED")));
        JsonNode services = again.ok("list-services").get("ServiceSummaryList");
        assertThat(services).extracting(n -> n.get("ServiceName").asText() + "=" + n.get("Status").asText())
                .containsExactly("keeper=RUNNING", "sleeper=PAUSED");
        await().atMost(Duration.ofMinutes(1)).until(() -> "Hello, Jane!".equals(get(second, running, again)));
        List<String> events = Files.readAllLines(state.resolve("logs/keeper/events.log"));
        assertThat(events).as("the instance the killed server left is kept, serving on").anyMatch(l -> l.contains("is still running; keeping it"));
        assertThat(ProcessHandle.of(orphan).map(ProcessHandle::isAlive)).as("the same process").contains(true);
        assertThat(again.ok("list-operations", "--service-arn", running).get("OperationSummaryList"))
                .extracting(o -> o.get("Type").asText()).containsExactly("CREATE_SERVICE");
        assertThat(status(second, paused, again)).isEqualTo(503);
        assertThat(again.ok("describe-auto-scaling-configuration", "--auto-scaling-configuration-arn", asc)
                .at("/AutoScalingConfiguration/MaxConcurrency").asInt()).isEqualTo(42);
        assertThat(again.ok("list-connections").at("/ConnectionSummaryList/0/ConnectionName").asText()).isEqualTo("kept-conn");
        assertThat(again.ok("list-tags-for-resource", "--resource-arn", running).at("/Tags/0/Value").asText()).isEqualTo("ops");
        assertThat(Files.getPosixFilePermissions(state.resolve("state.db")))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

        second.process().destroy(); // SIGTERM: a graceful stop
        assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        Server third = start(state);
        AwsCli third_ = AwsCli.withCredentialsFile(third.apiPort(), state.resolve("credentials"));
        await().atMost(Duration.ofMinutes(1)).until(() -> "Hello, Jane!".equals(get(third, running, third_)));
        third_.ok("resume-service", "--service-arn", paused);
        third_.awaitStatus(paused, "RUNNING");
        assertThat(get(third, paused, third_)).isEqualTo("Hello, Jane!");
    }

    @Test
    void anUpdateInterruptedByKillDashNineChangesNothingAndLeavesNoBuildRunning() throws Exception {
        Path state = tmp.resolve("state");
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        Server first = start(state);
        AwsCli aws = AwsCli.withCredentialsFile(first.apiPort(), state.resolve("credentials"));
        String arn = aws.ok("create-service", "--service-name", "steady", "--source-configuration",
                "{\"CodeRepository\":{\"RepositoryUrl\":\"" + app.toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}")
                .at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");

        String op = aws.ok("update-service", "--service-arn", arn, "--source-configuration",
                "{\"CodeRepository\":{\"RepositoryUrl\":\"" + app.toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},"
                        + "\"CodeConfiguration\":{\"ConfigurationSource\":\"API\",\"CodeConfigurationValues\":{\"Runtime\":\"PYTHON_3\","
                        + "\"BuildCommand\":\"echo build-pid=$$; sleep 120\",\"StartCommand\":\"python server.py\","
                        + "\"RuntimeEnvironmentVariables\":{\"NAME\":\"Crash\"}}}}}").get("OperationId").asText();
        Path deploymentLog = state.resolve("logs/steady/deployment/" + op + ".log");
        Pattern buildPid = Pattern.compile("build-pid=(\\d+)");
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(deploymentLog) && buildPid.matcher(Files.readString(deploymentLog)).find());
        Matcher pid = buildPid.matcher(Files.readString(deploymentLog));
        assertThat(pid.find()).isTrue();
        long build = Long.parseLong(pid.group(1));
        assertThat(ProcessHandle.of(build).map(ProcessHandle::isAlive)).contains(true);

        first.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Server second = start(state);
        AwsCli again = AwsCli.withCredentialsFile(second.apiPort(), state.resolve("credentials"));

        await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.of(build).map(h -> !h.isAlive()).orElse(true));
        again.awaitStatus(arn, "RUNNING");
        JsonNode service = again.ok("describe-service", "--service-arn", arn).get("Service");
        assertThat(service.at("/SourceConfiguration/CodeRepository/CodeConfiguration/ConfigurationSource").asText("REPOSITORY"))
                .as("the interrupted update's settings are rolled back").isEqualTo("REPOSITORY");
        JsonNode ops = again.ok("list-operations", "--service-arn", arn).get("OperationSummaryList");
        assertThat(ops).extracting(o -> o.get("Type").asText() + "=" + o.get("Status").asText())
                .containsExactly("UPDATE_SERVICE=FAILED", "CREATE_SERVICE=SUCCEEDED");
        assertThat(get(second, arn, again)).isEqualTo("Hello, Jane!");
        String why = "UPDATE_SERVICE operation " + op + " failed: interrupted: Slipway stopped before the operation ended";
        assertThat(Files.readString(deploymentLog)).contains(why);
        assertThat(Files.readString(state.resolve("logs/steady/events.log"))).contains(why);
    }

    private Server start(Path state) {
        SlipwayJar jar = SlipwayJar.start("server", "--state-dir", state.toString(), "--api-port", "0", "--router-port", "0",
                "--allow-source-dir", tmp.toString(), "--quota", "services=2");
        servers.add(jar);
        Matcher m = jar.awaitLine(LISTENING, Duration.ofMinutes(1));
        return new Server(jar.process(), Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    private static String get(Server server, String arn, AwsCli aws) throws IOException, InterruptedException {
        return new HttpProbe(server.routerPort()).get(host(arn, aws)).body();
    }

    private static int status(Server server, String arn, AwsCli aws) throws IOException, InterruptedException {
        return new HttpProbe(server.routerPort()).get(host(arn, aws)).statusCode();
    }

    private static String host(String arn, AwsCli aws) throws IOException, InterruptedException {
        return aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
    }

    private static long instancePid(Path state, String service) throws IOException {
        try (Stream<Path> logs = Files.list(state.resolve("logs").resolve(service).resolve("instance"))) {
            for (Path log : logs.toList()) {
                for (String line : Files.readAllLines(log)) {
                    int at = line.indexOf(" pid=");
                    if (at >= 0) {
                        return Long.parseLong(line.substring(at + 5).trim());
                    }
                }
            }
        }
        throw new AssertionError("no instance of " + service + " printed its pid");
    }


}
