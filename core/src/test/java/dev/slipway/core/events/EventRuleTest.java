package dev.slipway.core.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidRequestException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Event rules as {@code slipway server --event-rules FILE} reads them: what is accepted, and what each mistake is told. */
class EventRuleTest {
    private static final String SECRET = "0123456789abcdef0123";

    @Test
    void aRulesFileGivesRulesWithTheirPatternsEndpointsAndRetryPolicies() {
        List<EventRule> rules = EventRule.listFromJson("""
                {"rules": [
                  {"name": "failed", "eventPattern": {"detail": {"Status": [{"suffix": "Failed"}]}},
                   "endpoint": "https://hooks.example.com/slipway", "secret": "%s",
                   "retryPolicy": {"maximumEventAgeInSeconds": 600, "maximumRetryAttempts": 3}},
                  {"name": "all.of-them_2", "eventPattern": "{\\"source\\": [\\"aws.apprunner\\"]}",
                   "endpoint": "http://127.0.0.1:8080/events", "secret": "%s"}]}""".formatted(SECRET, SECRET));
        assertThat(rules).extracting(EventRule::name).containsExactly("failed", "all.of-them_2");
        assertThat(rules.get(0).endpoint()).contains(URI.create("https://hooks.example.com/slipway"));
        assertThat(rules.get(0).maximumEventAge()).isEqualTo(Duration.ofMinutes(10));
        assertThat(rules.get(0).maximumRetryAttempts()).isEqualTo(3);
        assertThat(rules.get(1).maximumEventAge()).isEqualTo(Duration.ofHours(24));
        assertThat(rules.get(1).maximumRetryAttempts()).isEqualTo(185);
        assertThat(rules.get(0).toString()).doesNotContain(SECRET);
        AppRunnerEvent failed = AppRunnerEvent.of(AppRunnerEvent.OPERATION_STATUS_CHANGE, "000000000000", "us-east-1",
                java.time.Instant.now(), "arn:aws:apprunner:us-east-1:000000000000:service/s/0123",
                java.util.Map.of("Status", "DeploymentFailed"));
        assertThat(rules.get(0).matches(failed)).isTrue();
        assertThat(rules.get(1).matches(failed)).isTrue();
    }

    @Test
    void eachMistakeIsNamed() {
        assertRefused("{\"rules\": [\n{\"name\": \"x\",,}]}", "not valid JSON", "line 2");
        assertRefused("[]", "must be a JSON object with an array \"rules\"");
        assertRefused(rule("\"name\": \"has space\""), "name must be 1 to 64 letters");
        assertRefused(rule("\"name\": \"" + "n".repeat(65) + "\""), "name must be 1 to 64 letters");
        assertRefused("{\"rules\": [{\"name\": \"r\", \"endpoint\": \"http://h/\", \"secret\": \"" + SECRET + "\"}]}",
                "rules[0] (r): eventPattern must be an EventBridge event pattern");
        assertRefused(rule("\"name\": \"r\"").replace("[\"aws.apprunner\"]", "\"aws.apprunner\""),
                "rules[0] (r): Event pattern is not valid at source", "must be a list");
        assertRefused(rule("\"name\": \"r\"").replace("http://127.0.0.1:9/events", "ftp://127.0.0.1/events"),
                "the endpoint must be an http:// or https:// URL");
        assertRefused(rule("\"name\": \"r\"").replace(SECRET, "short"), "at least 16 characters");
        assertRefused(rule("\"name\": \"r\", \"retries\": 3"), "unknown field \"retries\"");
        assertRefused(rule("\"name\": \"r\", \"retryPolicy\": {\"maximumRetryAttempts\": 186}"), "maximumRetryAttempts must be 0 to 185");
        assertRefused(rule("\"name\": \"r\", \"retryPolicy\": {\"maximumEventAgeInSeconds\": 0}"), "maximumEventAgeInSeconds must be 1 to 86400");
        assertRefused(rule("\"name\": \"r\", \"retryPolicy\": {\"maximumRetryAttempts\": 1.5}"), "must be a whole number");
        String one = rule("\"name\": \"r\"");
        String body = one.substring(one.indexOf('[') + 1, one.lastIndexOf(']'));
        assertRefused("{\"rules\": [" + body + ", " + body + "]}", "rules[1] (r): another rule has the name r");
    }

    /** Whatever the text, reading it gives rules or an InvalidRequestException: never another failure. */
    @Property(tries = 300)
    void anyTextGivesRulesOrAClearError(@ForAll("almostRules") String text) {
        try {
            assertThat(EventRule.listFromJson(text)).allSatisfy(r -> assertThat(r.endpoint()).isPresent());
        } catch (InvalidRequestException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> almostRules() {
        Arbitrary<String> names = Arbitraries.strings().withChars("ab.-_ /\"").ofMinLength(0).ofMaxLength(70);
        Arbitrary<String> patterns = Arbitraries.of("{\"source\": [\"aws.apprunner\"]}", "{}", "[]", "\"x\"", "{\"a\": 1}",
                "{\"detail\": {\"Status\": [{\"prefix\": 1}]}}", "{\"a\": [{\"numeric\": [\">\", 5]}]}", "null");
        Arbitrary<String> endpoints = Arbitraries.of("http://127.0.0.1:1/e", "https://x/", "nope", "http://", ":/", "", "mailto:a@b");
        Arbitrary<String> secrets = Arbitraries.strings().alpha().ofMaxLength(24);
        Arbitrary<String> numbers = Arbitraries.of("0", "1", "-1", "185", "186", "86400", "86401", "1e3", "\"5\"", "null");
        return net.jqwik.api.Combinators.combine(names, patterns, endpoints, secrets, numbers, numbers).as((n, p, e, s, a, r) ->
                "{\"rules\": [{\"name\": \"" + n + "\", \"eventPattern\": " + p + ", \"endpoint\": \"" + e
                        + "\", \"secret\": \"" + s + "\", \"retryPolicy\": {\"maximumEventAgeInSeconds\": " + a
                        + ", \"maximumRetryAttempts\": " + r + "}}]}");
    }

    private static String rule(String fields) {
        return "{\"rules\": [{" + fields + ", \"eventPattern\": {\"source\": [\"aws.apprunner\"]}, "
                + "\"endpoint\": \"http://127.0.0.1:9/events\", \"secret\": \"" + SECRET + "\"}]}";
    }

    private static void assertRefused(String json, String... saying) {
        assertThatThrownBy(() -> EventRule.listFromJson(json)).isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(saying));
    }
}
