package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.events.AppRunnerEvent;
import dev.slipway.core.events.EventPattern;
import dev.slipway.core.events.EventRule;
import dev.slipway.core.testing.EventReceiver;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.observe.JsonLinesFile;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events through the unmodified AWS CLI: create → update → a failed deployment → pause → resume → delete makes exactly
 * the guide's sequence of "Service Operation Status Change" and "Service Status Change" events, in the events file
 * ({@code slipway events}), to a Java listener and to an event rule's HTTP endpoint (signed CloudEvents, again after
 * it failed twice, in order) alike, and the guide's "operation failed" pattern selects exactly the failed ones, in
 * {@code slipway events --pattern} and as a rule.
 */
class EventsIT {
    private static final String FAILED_PATTERN = """
            {"detail-type": ["Service Operation Status Change"], "source": ["aws.apprunner"], "account": ["000000000000"],
             "detail": {"Status": ["CreateServiceFailed", "DeleteServiceFailed", "UpdateServiceFailed", "DeploymentFailed",
                                   "PauseServiceFailed", "ResumeServiceFailed"]}}""";

    private static final String SECRET = "receiver-secret-0123456789";

    @TempDir
    Path tmp;

    @Test
    void aServicesLifeIsTheGuidesSequenceOfEvents() throws Exception {
        Path state = tmp.resolve("state");
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        List<AppRunnerEvent> heard = new CopyOnWriteArrayList<>();
        List<AppRunnerEvent> failures = new CopyOnWriteArrayList<>();
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        try (EventReceiver receiver = EventReceiver.start(0, SECRET);
             Slipway slipway = Slipway.builder().routerPort(0).stateDir(state).allowedSourceDirectories(List.of(tmp))
                     .eventListener(heard::add).eventRule(rulesFile(receiver).get(0)).eventRule(rulesFile(receiver).get(1))
                     .eventRule(EventRule.toListener("failed", EventPattern.parse(FAILED_PATTERN), failures::add)).build()) {
            receiver.failNext(2);
            ApiServer api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
            try {
                AwsCli aws = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
                JsonNode created = aws.ok("create-service", "--service-name", "evented", "--source-configuration",
                        "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + app
                                + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}");
                String arn = created.at("/Service/ServiceArn").asText();
                aws.awaitStatus(arn, "RUNNING");
                String update = aws.ok("update-service", "--service-arn", arn, "--health-check-configuration", "Protocol=TCP,Interval=2")
                        .get("OperationId").asText();
                aws.awaitOperation(arn, update, "SUCCEEDED");
                aws.awaitStatus(arn, "RUNNING");
                Files.writeString(app.resolve("server.py"), "def broken(:\n");
                String deploy = aws.ok("start-deployment", "--service-arn", arn).get("OperationId").asText();
                aws.awaitOperation(arn, deploy, "FAILED");
                aws.awaitStatus(arn, "RUNNING");
                aws.ok("pause-service", "--service-arn", arn);
                aws.awaitStatus(arn, "PAUSED");
                aws.ok("resume-service", "--service-arn", arn);
                aws.awaitStatus(arn, "RUNNING");
                aws.ok("delete-service", "--service-arn", arn);
                await().atMost(Duration.ofMinutes(1)).until(() -> aws.ok("list-services").get("ServiceSummaryList").isEmpty());

                List<String> expected = List.of(
                        "CreateServiceStarted", "CreateServiceCompletedSuccessfully", "OPERATION_IN_PROGRESS -> RUNNING",
                        "UpdateServiceStarted", "RUNNING -> OPERATION_IN_PROGRESS",
                        "UpdateServiceCompletedSuccessfully", "OPERATION_IN_PROGRESS -> RUNNING",
                        "DeploymentStarted", "RUNNING -> OPERATION_IN_PROGRESS", "DeploymentFailed", "Slipway Deployment Rolled Back",
                        "OPERATION_IN_PROGRESS -> RUNNING",
                        "PauseServiceStarted", "RUNNING -> OPERATION_IN_PROGRESS",
                        "PauseServiceCompletedSuccessfully", "OPERATION_IN_PROGRESS -> PAUSED",
                        "ResumeServiceStarted", "PAUSED -> OPERATION_IN_PROGRESS",
                        "ResumeServiceCompletedSuccessfully", "OPERATION_IN_PROGRESS -> RUNNING",
                        "DeleteServiceStarted", "RUNNING -> OPERATION_IN_PROGRESS",
                        "DeleteServiceCompletedSuccessfully", "OPERATION_IN_PROGRESS -> DELETED");
                List<JsonNode> written = new ArrayList<>();
                for (String line : JsonLinesFile.lines(state.resolve("events"), "events.log")) {
                    written.add(Shapes.mapper().readTree(line));
                }
                assertThat(written).extracting(EventsIT::summary).containsExactlyElementsOf(expected);
                await().atMost(Duration.ofSeconds(10)).until(() -> heard.size() == expected.size());
                assertThat(heard).extracting(e -> summary(e.toJson())).containsExactlyElementsOf(expected);
                await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() == expected.size());
                assertThat(receiver.accepted()).as("delivered as CloudEvents, in order, each once, after two failures")
                        .containsExactlyElementsOf(written);
                assertThat(receiver.attempts()).hasSize(expected.size() + 2).allSatisfy(d -> assertThat(d.signed()).isTrue());
                assertThat(receiver.attempts().subList(0, 3)).extracting(d -> d.cloudEvent().getId())
                        .containsOnly(written.get(0).path("id").asText());
                assertThat(failures).extracting(e -> e.detail().get("Status")).containsExactly("DeploymentFailed");
                await().atMost(Duration.ofSeconds(30)).until(() -> !JsonLinesFile.lines(state.resolve("events"), "dead-letter.log").isEmpty());
                SlipwayJar letters = SlipwayJar.run("events", "--dead-letters", "--state-dir", state.toString());
                assertThat(letters.output()).singleElement().satisfies(l -> assertThat(l).contains("\"rule\":\"failed-to-nowhere\"")
                        .contains("\"attempts\":1").contains("ConnectException").contains("\"Status\":\"DeploymentFailed\""));

                JsonNode first = written.get(0);
                assertThat(first.path("version").asText()).isEqualTo("0");
                assertThat(first.path("source").asText()).isEqualTo("aws.apprunner");
                assertThat(first.path("detail-type").asText()).isEqualTo("Service Operation Status Change");
                assertThat(first.path("account").asText()).isEqualTo("000000000000");
                assertThat(first.path("region").asText()).isEqualTo("us-east-1");
                assertThat(first.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
                assertThat(first.path("resources")).hasSize(1);
                assertThat(first.at("/resources/0").asText()).isEqualTo(arn);
                assertThat(first.at("/detail/ServiceName").asText()).isEqualTo("evented");
                assertThat(first.at("/detail/ServiceId").asText()).isEqualTo(created.at("/Service/ServiceId").asText());
                assertThat(first.at("/detail/Message").asText()).isEqualTo("Service creation started.");
                assertThat(first.at("/detail/Severity").asText()).isEqualTo("INFO");
                JsonNode failed = written.get(expected.indexOf("DeploymentFailed"));
                assertThat(failed.at("/detail/Message").asText()).isEqualTo("Deployment failed. For details, see service logs.");
                assertThat(written.get(expected.indexOf("UpdateServiceCompletedSuccessfully")).at("/detail/Message").asText())
                        .as("the guide's message for an update of the configuration alone")
                        .isEqualTo("Service update completed successfully. New configuration is deployed.");
                assertThat(failed.at("/detail/Severity").asText()).isEqualTo("ERROR");
                JsonNode rolledBack = written.get(expected.indexOf("Slipway Deployment Rolled Back"));
                assertThat(rolledBack.at("/detail/Operation").asText()).isEqualTo("START_DEPLOYMENT");
                assertThat(rolledBack.at("/detail/OperationId").asText()).isEqualTo(deploy);
                assertThat(rolledBack.at("/detail/Message").asText()).isEqualTo("The deployment failed; the previous revision keeps serving.");
                JsonNode running = written.get(2);
                assertThat(running.path("detail-type").asText()).isEqualTo("Service Status Change");
                assertThat(running.at("/detail/Message").asText()).isEqualTo("Service status is set to RUNNING.");
                assertThat(written).extracting(e -> e.path("id").asText()).doesNotHaveDuplicates();

                SlipwayJar selected = SlipwayJar.run("events", "--pattern", FAILED_PATTERN, "--state-dir", state.toString());
                assertThat(selected.process().exitValue()).as(String.join("\n", selected.output())).isZero();
                assertThat(selected.output()).singleElement().satisfies(l -> assertThat(l).contains("\"Status\":\"DeploymentFailed\""));
                SlipwayJar invalid = SlipwayJar.run("events", "--pattern", "{\"detail\": {\"Status\": \"DeploymentFailed\"}}",
                        "--state-dir", state.toString());
                assertThat(invalid.process().exitValue()).isEqualTo(2);
                assertThat(String.join("\n", invalid.output())).contains("Event pattern is not valid at detail.Status")
                        .contains("must be a list");
            } finally {
                api.close();
            }
        }
    }

    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A rules file, as {@code slipway server --event-rules FILE} reads it, with one rule: everything to {@code receiver}. */
    private List<EventRule> rulesFile(EventReceiver receiver) throws Exception {
        Path file = Files.writeString(tmp.resolve("rules.json"), """
                {"rules": [{"name": "everything", "eventPattern": {"source": ["aws.apprunner", "slipway"]},
                            "endpoint": "%s", "secret": "%s", "retryPolicy": {"maximumEventAgeInSeconds": 600}},
                           {"name": "failed-to-nowhere", "eventPattern": %s, "endpoint": "http://127.0.0.1:%d/gone",
                            "secret": "%s", "retryPolicy": {"maximumRetryAttempts": 0}}]}
                """.formatted(receiver.url(), SECRET, FAILED_PATTERN, closedPort(), SECRET));
        return EventRule.listFromJson(Files.readString(file));
    }

    @Test
    void aBadRulesFileStopsTheServerWithWhatIsWrong() throws Exception {
        Path file = Files.writeString(tmp.resolve("rules.json"), "{\"rules\": [{\"name\": \"x\", \"eventPattern\": "
                + "{\"source\": \"aws.apprunner\"}, \"endpoint\": \"http://127.0.0.1:9/\", \"secret\": \"" + SECRET + "\"}]}");
        SlipwayJar bad = SlipwayJar.run("server", "--event-rules", file.toString(), "--state-dir", tmp.resolve("state").toString());
        assertThat(bad.process().exitValue()).isEqualTo(2);
        assertThat(String.join("\n", bad.output())).contains("slipway server: --event-rules " + file
                + ": rules[0] (x): Event pattern is not valid at source");
        SlipwayJar missing = SlipwayJar.run("server", "--event-rules", tmp.resolve("none.json").toString(), "--state-dir",
                tmp.resolve("state").toString());
        assertThat(missing.process().exitValue()).isEqualTo(2);
        assertThat(String.join("\n", missing.output())).contains("none.json: no such file");
    }

    /** An event in a word: an operation's status code, a service's "previous -> current" status, or Slipway's detail-type. */
    private static String summary(JsonNode e) {
        JsonNode d = e.path("detail");
        if (e.path("source").asText().equals("slipway")) {
            return e.path("detail-type").asText();
        }
        return d.has("Status") ? d.path("Status").asText() : d.path("PreviousStatus").asText() + " -> " + d.path("CurrentStatus").asText();
    }
}
