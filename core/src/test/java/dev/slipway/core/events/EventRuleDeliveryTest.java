package dev.slipway.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.core.Slipway;
import dev.slipway.core.SlipwayBuilder;
import dev.slipway.core.Timeouts;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.PauseServiceRequest;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.observe.JsonLinesFile;
import dev.slipway.core.testing.EventReceiver;
import dev.slipway.core.testing.FakeBackend;
import dev.slipway.core.testing.TestApps;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event rules with endpoints, against a real HTTP receiver: signed CloudEvents, at least once and in order per service,
 * through failures and a restart of the control plane (what is owed is in the state store), and to the dead-letter file
 * once a rule's retry policy runs out.
 */
class EventRuleDeliveryTest {
    private static final String SECRET = "a-shared-secret-of-32-characters";
    private static final Duration OP = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventPattern EVERYTHING = EventPattern.parse("{\"source\": [\"aws.apprunner\", \"slipway\"]}");

    @TempDir
    Path tmp;

    private SlipwayBuilder slipway(EventRule... rules) {
        SlipwayBuilder b = Slipway.builder().backend(new FakeBackend()).routerPort(-1).stateDir(tmp.resolve("state"))
                .durableState(true).autoscaling(false).pollInterval(Duration.ZERO)
                .timeouts(new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(1)));
        for (EventRule r : rules) {
            b.eventRule(r);
        }
        return b;
    }

    private String create(Slipway s, String name) throws Exception {
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        var created = s.createService(CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SourceConfiguration.of(
                new CodeRepository(tmp.resolve("app").toString(), SourceCodeVersion.branch("main"), null, null))).build());
        created.operation().awaitSuccess(OP);
        return created.service().serviceArn();
    }

    @Test
    void eventsReachTheEndpointSignedAndInOrderThroughFailuresAndARestart() throws Exception {
        int port;
        try (EventReceiver reserved = EventReceiver.start(0, SECRET)) {
            port = reserved.port(); // closed again: the endpoint is down during the first run
        }
        EventRule rule = EventRule.toEndpoint("everything", EVERYTHING, URI.create("http://127.0.0.1:" + port + "/events"), SECRET);
        List<AppRunnerEvent> firstRun = new CopyOnWriteArrayList<>();
        String arn;
        try (Slipway first = slipway(rule).eventListener(firstRun::add).build()) {
            arn = create(first, "owed");
            await().atMost(OP).until(() -> firstRun.size() == 3);
        }
        List<String> firstIds = firstRun.stream().map(AppRunnerEvent::id).toList();

        try (EventReceiver receiver = EventReceiver.start(port, SECRET)) {
            receiver.failNext(2);
            try (Slipway second = slipway(rule).build()) {
                await().atMost(OP).until(() -> receiver.accepted().size() >= 3);
                second.pauseService(new PauseServiceRequest(arn)).operation().awaitSuccess(OP);
                await().atMost(OP).until(() -> ids(receiver.accepted()).contains(lastId(tmp.resolve("state"))));

                List<String> accepted = ids(receiver.accepted());
                assertThat(accepted.subList(0, 3)).as("what the first run owed comes first, in order").isEqualTo(firstIds);
                assertThat(accepted).as("each once, once accepted").doesNotHaveDuplicates()
                        .as("every event of the events file, in its order").isEqualTo(idsInEventsFile(tmp.resolve("state")));
                assertThat(receiver.attempts()).allSatisfy(d -> assertThat(d.signed()).isTrue());
                assertThat(receiver.attempts().subList(0, 3)).extracting(d -> d.cloudEvent().getId())
                        .as("the first event was tried again after each failure").containsOnly(firstIds.get(0));
                assertThat(receiver.attempts().subList(0, 2)).extracting(EventReceiver.Delivery::answered).containsOnly(503);
                var ce = receiver.attempts().get(2).cloudEvent();
                assertThat(ce.getSpecVersion().toString()).isEqualTo("1.0");
                assertThat(ce.getSource()).isEqualTo(URI.create("aws.apprunner"));
                assertThat(ce.getType()).isEqualTo("Service Operation Status Change");
                assertThat(ce.getSubject()).isEqualTo(arn);
                assertThat(ce.getDataContentType()).isEqualTo("application/json");
                assertThat(receiver.accepted().get(0).at("/detail/Status").asText()).isEqualTo("CreateServiceStarted");
                assertThat(receiver.accepted()).extracting(e -> e.at("/detail/Status").asText())
                        .contains("PauseServiceStarted", "PauseServiceCompletedSuccessfully");
            }
        }
    }

    @Test
    void anEventPastItsRetryPolicyGoesToTheDeadLetterFileAndTheNextOneIsSent() throws Exception {
        try (EventReceiver receiver = EventReceiver.start(0, SECRET)) {
            receiver.failNext(2); // the first event's attempt and its one retry
            EventRule rule = EventRule.toEndpoint("one-retry", EVERYTHING, receiver.url(), SECRET)
                    .withRetryPolicy(Duration.ofMinutes(1), 1);
            try (Slipway s = slipway(rule).build()) {
                create(s, "lettered");
                await().atMost(OP).until(() -> receiver.accepted().size() == 2);
                List<String> all = idsInEventsFile(tmp.resolve("state"));
                assertThat(ids(receiver.accepted())).isEqualTo(all.subList(1, 3));
                List<String> letters = JsonLinesFile.lines(tmp.resolve("state").resolve("events"), "dead-letter.log");
                assertThat(letters).hasSize(1);
                JsonNode letter = JSON.readTree(letters.get(0));
                assertThat(letter.path("rule").asText()).isEqualTo("one-retry");
                assertThat(letter.path("endpoint").asText()).isEqualTo(receiver.url().toString());
                assertThat(letter.path("attempts").asInt()).isEqualTo(2);
                assertThat(letter.path("reason").asText()).isEqualTo("the endpoint answered HTTP 503");
                assertThat(letter.at("/event/id").asText()).isEqualTo(all.get(0));
                assertThat(s.meterRegistry().get("slipway.events.dead.lettered").tag("rule", "one-retry").counter().count()).isEqualTo(1);
            }
        }
    }

    @Test
    void aListenerRuleHearsOnlyWhatItsPatternMatchesAndRulesChangeAtRunTime() throws Exception {
        List<AppRunnerEvent> statuses = new CopyOnWriteArrayList<>();
        EventRule rule = EventRule.toListener("statuses", EventPattern.parse(
                "{\"detail-type\": [\"Service Status Change\"]}"), statuses::add);
        try (Slipway s = slipway(rule).build()) {
            String arn = create(s, "listened");
            await().atMost(OP).until(() -> statuses.size() == 1);
            assertThat(statuses.get(0).detail()).containsEntry("CurrentStatus", "RUNNING");
            assertThat(s.eventRules()).extracting(EventRule::name).containsExactly("statuses");
            assertThat(s.removeEventRule("statuses")).isTrue();
            assertThat(s.removeEventRule("statuses")).isFalse();
            List<AppRunnerEvent> operations = new CopyOnWriteArrayList<>();
            s.putEventRule(EventRule.toListener("operations", EventPattern.parse(
                    "{\"detail\": {\"Status\": [{\"prefix\": \"Pause\"}]}}"), operations::add));
            s.pauseService(new PauseServiceRequest(arn)).operation().awaitSuccess(OP);
            await().atMost(OP).until(() -> operations.size() == 2);
            assertThat(operations).extracting(e -> e.detail().get("Status"))
                    .containsExactly("PauseServiceStarted", "PauseServiceCompletedSuccessfully");
            assertThat(statuses).hasSize(1);
        }
    }

    private static List<String> ids(List<JsonNode> events) {
        return events.stream().map(e -> e.path("id").asText()).toList();
    }

    private static List<String> idsInEventsFile(Path state) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String line : JsonLinesFile.lines(state.resolve("events"), "events.log")) {
            ids.add(JSON.readTree(line).path("id").asText());
        }
        return ids;
    }

    private static String lastId(Path state) throws Exception {
        List<String> ids = idsInEventsFile(state);
        return ids.get(ids.size() - 1);
    }
}
