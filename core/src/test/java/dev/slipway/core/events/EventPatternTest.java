package dev.slipway.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.core.InvalidRequestException;
import java.util.Map;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/**
 * EventBridge's content filtering, with the examples of its documentation ("Content filtering in Amazon EventBridge
 * event patterns") and of the App Runner guide, the invalid patterns it refuses, and properties over generated events.
 */
class EventPatternTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The event EventBridge's documentation filters in its examples (an EC2 state change), with a few fields more. */
    private static final JsonNode EVENT = json("""
            {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "EC2 Instance State-change Notification",
             "source": "aws.ec2", "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
             "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
             "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5, "d-count": 3,
                        "x-limit": 301.8, "source-ip": "10.0.0.123", "location": "eu-west", "filename": "image.png",
                        "tags": ["prod", "web"], "nothing": null, "enabled": true}}""");

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static boolean matches(String pattern) {
        return EventPattern.parse(pattern).matches(EVENT);
    }

    @Example
    void theDocumentedOperatorsMatchAsEventBridgeSays() {
        assertThat(matches("{\"source\": [\"aws.ec2\"]}")).isTrue();
        assertThat(matches("{\"source\": [\"aws.s3\", \"aws.ec2\"]}")).as("any of the list").isTrue();
        assertThat(matches("{\"source\": [\"aws.s3\"]}")).isFalse();
        assertThat(matches("{\"source\": [\"aws.ec2\"], \"detail\": {\"state\": [\"running\"]}}")).as("every field").isFalse();
        assertThat(matches("{\"detail\": {\"tags\": [\"web\"]}}")).as("an array matches by any element").isTrue();
        assertThat(matches("{\"detail\": {\"c-count\": [5]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"c-count\": [5.0]}}")).as("numbers as numbers").isTrue();
        assertThat(matches("{\"detail\": {\"c-count\": [\"5\"]}}")).as("a string is not a number").isFalse();
        assertThat(matches("{\"detail\": {\"nothing\": [null]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"enabled\": [true]}}")).isTrue();
        assertThat(matches("{\"time\": [{\"prefix\": \"2017-12-22\"}]}")).isTrue();
        assertThat(matches("{\"time\": [{\"prefix\": {\"equals-ignore-case\": \"2017-12-22t\"}}]}")).isTrue();
        assertThat(matches("{\"detail\": {\"filename\": [{\"suffix\": \".png\"}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"filename\": [{\"suffix\": {\"equals-ignore-case\": \".PNG\"}}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"state\": [{\"equals-ignore-case\": \"TERMINATED\"}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"state\": [{\"anything-but\": \"initializing\"}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"state\": [{\"anything-but\": [\"stopped\", \"terminated\"]}]}}")).isFalse();
        assertThat(matches("{\"detail\": {\"state\": [{\"anything-but\": {\"prefix\": \"init\"}}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"filename\": [{\"anything-but\": {\"suffix\": \".png\"}}]}}")).isFalse();
        assertThat(matches("{\"detail\": {\"c-count\": [{\"numeric\": [\">\", 0, \"<=\", 5]}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"d-count\": [{\"numeric\": [\"<\", 10]}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"x-limit\": [{\"numeric\": [\"=\", 301.8]}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"x-limit\": [{\"numeric\": [\">=\", 302]}]}}")).isFalse();
        assertThat(matches("{\"detail\": {\"state\": [{\"numeric\": [\">\", 0]}]}}")).as("numeric never matches a string").isFalse();
        assertThat(matches("{\"detail\": {\"state\": [{\"exists\": true}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"missing\": [{\"exists\": false}]}}")).isTrue();
        assertThat(matches("{\"detail\": {\"state\": [{\"exists\": false}]}}")).isFalse();
        assertThat(matches("{\"detail\": {\"missing\": [{\"anything-but\": \"x\"}]}}")).as("only exists:false matches what is absent").isFalse();
        assertThat(matches("{\"resources\": [{\"wildcard\": \"arn:aws:ec2:*:instance/*\"}]}")).isTrue();
        assertThat(matches("{\"detail\": {\"filename\": [{\"wildcard\": \"*.jpg\"}]}}")).isFalse();
        assertThat(matches("{\"detail\": {\"location\": [{\"wildcard\": \"eu-*\"}]}}")).isTrue();
        assertThat(matches("{\"$or\": [{\"detail\": {\"c-count\": [{\"numeric\": [\">\", 10]}]}}, {\"detail\": {\"d-count\": [3]}}]}")).isTrue();
        assertThat(matches("{\"detail\": {\"$or\": [{\"c-count\": [1]}, {\"state\": [\"running\"]}]}}")).isFalse();
        assertThat(matches("{\"detail\": {\"state\": {\"nested\": [\"x\"]}}}")).as("a nested pattern on a string").isFalse();
    }

    @Example
    void theGuidesPatternsSelectWhatTheySay() {
        EventPattern failed = EventPattern.parse("""
                {"detail-type": ["Service Operation Status Change"], "source": ["aws.apprunner"], "account": ["111122223333"],
                 "detail": {"Status": ["CreateServiceFailed", "DeleteServiceFailed", "UpdateServiceFailed", "DeploymentFailed",
                                       "PauseServiceFailed", "ResumeServiceFailed"]}}""");
        EventPattern leftRunning = EventPattern.parse("""
                {"detail-type": ["Service Status Change"], "source": ["aws.apprunner"], "account": ["111122223333"],
                 "detail": {"PreviousStatus": ["RUNNING"]}}""");
        AppRunnerEvent deploymentFailed = AppRunnerEvent.of(AppRunnerEvent.OPERATION_STATUS_CHANGE, "111122223333", "us-east-2",
                java.time.Instant.now(), "arn:aws:apprunner:us-east-2:111122223333:service/my-app/8fe1e10304f84fd2b0df550fe98a71fa",
                Map.of("Status", "DeploymentFailed", "ServiceName", "my-app", "Severity", "ERROR"));
        AppRunnerEvent deployed = AppRunnerEvent.of(AppRunnerEvent.OPERATION_STATUS_CHANGE, "111122223333", "us-east-2",
                java.time.Instant.now(), "arn", Map.of("Status", "DeploymentCompletedSuccessfully"));
        AppRunnerEvent paused = AppRunnerEvent.of(AppRunnerEvent.SERVICE_STATUS_CHANGE, "111122223333", "us-east-2",
                java.time.Instant.now(), "arn", Map.of("PreviousStatus", "RUNNING", "CurrentStatus", "OPERATION_IN_PROGRESS"));
        assertThat(failed.matches(deploymentFailed)).isTrue();
        assertThat(failed.matches(deployed)).isFalse();
        assertThat(failed.matches(paused)).isFalse();
        assertThat(leftRunning.matches(paused)).isTrue();
        assertThat(leftRunning.matches(deploymentFailed)).isFalse();
    }

    @Example
    void invalidPatternsAreRefusedSayingWhereAndWhy() {
        assertInvalid("[\"aws.ec2\"]", "must be a JSON object");
        assertInvalid("{\"source\": \"aws.ec2\"}", "at source: a field's values must be a list");
        assertInvalid("{\"source\": []}", "must not be empty");
        assertInvalid("{}", "at least one field");
        assertInvalid("{\"detail\": {}}", "at least one field");
        assertInvalid("{\"source\": [[\"a\"]]}", "cannot be a list");
        assertInvalid("{\"source\": [{\"prefixx\": \"a\"}]}", "unknown operator 'prefixx'");
        assertInvalid("{\"source\": [{\"prefix\": 1}]}", "prefix takes a string");
        assertInvalid("{\"source\": [{\"prefix\": \"a\", \"suffix\": \"b\"}]}", "exactly one operator");
        assertInvalid("{\"n\": [{\"numeric\": [\">\", \"5\"]}]}", "numeric comparisons");
        assertInvalid("{\"n\": [{\"numeric\": [\"!=\", 5]}]}", "numeric comparisons");
        assertInvalid("{\"n\": [{\"numeric\": [\">\", 5, \">\", 6]}]}", "must make a range");
        assertInvalid("{\"n\": [{\"numeric\": [\">\"]}]}", "one or two comparisons");
        assertInvalid("{\"n\": [{\"exists\": \"yes\"}]}", "exists takes true or false");
        assertInvalid("{\"n\": [{\"wildcard\": \"a**b\"}]}", "two * in a row");
        assertInvalid("{\"n\": [{\"anything-but\": {\"wildcard\": \"a\"}}]}", "anything-but takes");
        assertInvalid("{\"n\": [{\"anything-but\": [[1]]}]}", "anything-but's list");
        assertInvalid("{\"$or\": [{\"a\": [1]}]}", "at least two patterns");
        assertInvalid("{\"$or\": [{\"a\": [1]}, \"b\"]}", "each pattern of $or must be an object");
        assertInvalid("{\"source\": ", "not valid JSON");
    }

    private static void assertInvalid(String pattern, String why) {
        assertThatThrownBy(() -> EventPattern.parse(pattern)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("Event pattern is not valid").hasMessageContaining(why);
    }

    @Property(tries = 200)
    void anEventMatchesThePatternOfItsOwnValuesAndNotOneWithAValueChanged(
            @ForAll @Size(min = 1, max = 5) Map<@AlphaChars @StringLength(min = 1, max = 8) String, @StringLength(max = 12) String> detail,
            @ForAll @IntRange(min = -1000, max = 1000) int count) {
        ObjectNode event = JSON.createObjectNode();
        event.put("source", "aws.apprunner");
        ObjectNode d = event.putObject("detail");
        detail.forEach(d::put);
        d.put("Count", count);
        ObjectNode pattern = JSON.createObjectNode();
        ObjectNode p = pattern.putObject("detail");
        detail.forEach((k, v) -> p.putArray(k).add(v));
        p.putArray("Count").addObject().putArray("numeric").add(">=").add(count).add("<").add(count + 1);
        assertThat(EventPattern.parse(pattern.toString()).matches(event)).isTrue();

        String key = detail.keySet().iterator().next();
        ObjectNode changed = pattern.deepCopy();
        ((ObjectNode) changed.get("detail")).putArray(key).add(detail.get(key) + "-other");
        assertThat(EventPattern.parse(changed.toString()).matches(event)).isFalse();
        ObjectNode below = pattern.deepCopy();
        ((ObjectNode) below.get("detail")).putArray("Count").addObject().putArray("numeric").add(">").add(count);
        assertThat(EventPattern.parse(below.toString()).matches(event)).isFalse();
        ObjectNode prefixed = pattern.deepCopy();
        ((ObjectNode) prefixed.get("detail")).putArray(key).addObject().put("prefix", detail.get(key));
        assertThat(EventPattern.parse(prefixed.toString()).matches(event)).as("a value is a prefix of itself").isTrue();
        ObjectNode anythingBut = pattern.deepCopy();
        ((ObjectNode) anythingBut.get("detail")).putArray(key).addObject().put("anything-but", detail.get(key));
        assertThat(EventPattern.parse(anythingBut.toString()).matches(event)).isFalse();
    }
}
