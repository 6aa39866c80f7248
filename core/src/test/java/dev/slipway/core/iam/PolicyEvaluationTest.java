package dev.slipway.core.iam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * IAM's evaluation logic, case by case (allow, explicit deny, no statement, wildcards, NotAction/NotResource, each
 * condition operator, IfExists, ForAnyValue/ForAllValues, policy variables), the guide's example policies, the
 * mistakes a policy file can have, and the property that adding a Deny statement never allows more.
 */
class PolicyEvaluationTest {
    private static final String SERVICE = "arn:aws:apprunner:us-east-1:000000000000:service/preprod/0123456789abcdef";

    private static Decision.Effect decide(String statements, String action, String resource, Map<String, List<String>> keys) {
        PolicyDocument p = PolicyDocument.parse("test", "{\"Version\": \"2012-10-17\", \"Statement\": [" + statements + "]}");
        return Principal.user("alice", List.of(), List.of(p)).decide(new RequestContext(action, resource, keys)).effect();
    }

    private static Decision.Effect decide(String statements, String action, Map<String, List<String>> keys) {
        return decide(statements, action, SERVICE, keys);
    }

    private static final String ALLOW_ALL = "{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}";

    @Test
    void allowDenyAndNothing() {
        assertThat(decide(ALLOW_ALL, "apprunner:DeleteService", Map.of())).isEqualTo(Decision.Effect.ALLOW);
        assertThat(decide(ALLOW_ALL + ", {\"Effect\": \"Deny\", \"Action\": \"apprunner:Delete*\", \"Resource\": \"*\"}",
                "apprunner:DeleteService", Map.of())).as("an explicit deny wins").isEqualTo(Decision.Effect.EXPLICIT_DENY);
        assertThat(decide("{\"Effect\": \"Allow\", \"Action\": \"apprunner:Describe*\", \"Resource\": \"*\"}",
                "apprunner:DeleteService", Map.of())).as("no statement allows it").isEqualTo(Decision.Effect.IMPLICIT_DENY);
        assertThat(decide("{\"Effect\": \"Allow\", \"Action\": \"APPRUNNER:describe?ervice\", \"Resource\": \"*\"}",
                "apprunner:DescribeService", Map.of())).as("actions are case-insensitive, ? is one character").isEqualTo(Decision.Effect.ALLOW);
        assertThat(decide("{\"Effect\": \"Allow\", \"NotAction\": \"apprunner:Delete*\", \"Resource\": \"*\"}",
                "apprunner:DeleteService", Map.of())).isEqualTo(Decision.Effect.IMPLICIT_DENY);
        assertThat(decide("{\"Effect\": \"Allow\", \"NotAction\": \"apprunner:Delete*\", \"Resource\": \"*\"}",
                "apprunner:PauseService", Map.of())).isEqualTo(Decision.Effect.ALLOW);
    }

    @Test
    void resourcesWithWildcardsNotResourceAndVariables() {
        String preprod = "{\"Effect\": \"Allow\", \"Action\": \"apprunner:*\", \"Resource\": \"arn:aws:apprunner:*:*:service/preprod/*\"}";
        assertThat(decide(preprod, "apprunner:UpdateService", Map.of())).isEqualTo(Decision.Effect.ALLOW);
        assertThat(decide(preprod, "apprunner:UpdateService", SERVICE.replace("preprod", "prod"), Map.of()))
                .isEqualTo(Decision.Effect.IMPLICIT_DENY);
        assertThat(decide(preprod.replace("preprod", "PREPROD"), "apprunner:UpdateService", Map.of()))
                .as("resources are case-sensitive").isEqualTo(Decision.Effect.IMPLICIT_DENY);
        assertThat(decide("{\"Effect\": \"Allow\", \"Action\": \"*\", \"NotResource\": \"arn:aws:apprunner:*:*:service/prod/*\"}",
                "apprunner:DeleteService", Map.of())).isEqualTo(Decision.Effect.ALLOW);
        String own = "{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"arn:aws:apprunner:*:*:service/${aws:username}/*\"}";
        assertThat(decide(own, "apprunner:DeleteService", Map.of("aws:username", List.of("preprod")))).isEqualTo(Decision.Effect.ALLOW);
        assertThat(decide(own, "apprunner:DeleteService", Map.of("aws:username", List.of("alice")))).isEqualTo(Decision.Effect.IMPLICIT_DENY);
        assertThat(decide(own, "apprunner:DeleteService", Map.of())).as("a variable without a value matches nothing")
                .isEqualTo(Decision.Effect.IMPLICIT_DENY);
        assertThat(decide(own, "apprunner:DeleteService", Map.of("aws:username", List.of("*"))))
                .as("a variable's value is literal, not a wildcard").isEqualTo(Decision.Effect.IMPLICIT_DENY);
    }

    /** One condition: operator, key, the policy's value(s) (JSON), the request's value(s) (none: absent), the outcome. */
    private static boolean condition(String operator, String key, String values, List<String> request) {
        Map<String, List<String>> keys = request == null ? Map.of() : Map.of(key, request);
        return decide("{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"" + operator
                + "\": {\"" + key + "\": " + values + "}}}", "apprunner:CreateService", keys) == Decision.Effect.ALLOW;
    }

    @Test
    void everyConditionOperator() {
        String tag = "aws:ResourceTag/team";
        assertThat(condition("StringEquals", tag, "\"web\"", List.of("web"))).isTrue();
        assertThat(condition("StringEquals", tag, "\"web\"", List.of("Web"))).isFalse();
        assertThat(condition("StringEquals", tag, "\"w*\"", List.of("web"))).as("no wildcards in Equals").isFalse();
        assertThat(condition("StringEquals", tag, "[\"api\", \"web\"]", List.of("web"))).as("values are ORed").isTrue();
        assertThat(condition("StringEquals", tag, "\"web\"", null)).as("an absent key does not match").isFalse();
        assertThat(condition("StringNotEquals", tag, "\"web\"", List.of("api"))).isTrue();
        assertThat(condition("StringNotEquals", tag, "\"web\"", List.of("web"))).isFalse();
        assertThat(condition("StringNotEquals", tag, "\"web\"", null)).as("a negated operator holds for an absent key").isTrue();
        assertThat(condition("StringEqualsIgnoreCase", tag, "\"WEB\"", List.of("web"))).isTrue();
        assertThat(condition("StringNotEqualsIgnoreCase", tag, "\"WEB\"", List.of("web"))).isFalse();
        assertThat(condition("StringLike", tag, "\"w?b*\"", List.of("webapp"))).isTrue();
        assertThat(condition("StringNotLike", tag, "\"w*\"", List.of("api"))).isTrue();
        assertThat(condition("StringEqualsIfExists", tag, "\"web\"", null)).as("IfExists: true when absent").isTrue();
        assertThat(condition("StringEqualsIfExists", tag, "\"web\"", List.of("api"))).isFalse();
        assertThat(condition("NumericLessThan", "apprunner:MaxSize", "10", List.of("9"))).isTrue();
        assertThat(condition("NumericLessThan", "apprunner:MaxSize", "10", List.of("10"))).isFalse();
        assertThat(condition("NumericLessThanEquals", "apprunner:MaxSize", "10", List.of("10"))).isTrue();
        assertThat(condition("NumericGreaterThan", "apprunner:MaxSize", "10", List.of("10.5"))).isTrue();
        assertThat(condition("NumericGreaterThanEquals", "apprunner:MaxSize", "10", List.of("9"))).isFalse();
        assertThat(condition("NumericEquals", "apprunner:MaxSize", "10", List.of("10.0"))).isTrue();
        assertThat(condition("NumericNotEquals", "apprunner:MaxSize", "10", List.of("10"))).isFalse();
        assertThat(condition("DateLessThan", "aws:CurrentTime", "\"2027-01-01T00:00:00Z\"", List.of("2026-12-05T17:00:00Z"))).isTrue();
        assertThat(condition("DateLessThan", "aws:CurrentTime", "\"2026-01-01\"", List.of("2026-12-05T17:00:00Z"))).isFalse();
        assertThat(condition("DateGreaterThan", "aws:CurrentTime", "1700000000", List.of("2026-12-05T17:00:00Z"))).isTrue();
        assertThat(condition("DateGreaterThanEquals", "aws:CurrentTime", "\"2026-12-05T17:00:00Z\"", List.of("2026-12-05T17:00:00Z"))).isTrue();
        assertThat(condition("DateLessThanEquals", "aws:CurrentTime", "\"2026-12-05T16:00:00Z\"", List.of("2026-12-05T17:00:00Z"))).isFalse();
        assertThat(condition("DateEquals", "aws:CurrentTime", "\"2026-12-05T17:00:00Z\"", List.of("2026-12-05T17:00:00Z"))).isTrue();
        assertThat(condition("DateNotEquals", "aws:CurrentTime", "\"2026-12-05T17:00:00Z\"", List.of("2026-12-05T17:00:01Z"))).isTrue();
        assertThat(condition("Bool", "aws:SecureTransport", "\"true\"", List.of("false"))).isFalse();
        assertThat(condition("Bool", "aws:SecureTransport", "false", List.of("false"))).isTrue();
        assertThat(condition("IpAddress", "aws:SourceIp", "\"127.0.0.0/8\"", List.of("127.0.0.1"))).isTrue();
        assertThat(condition("IpAddress", "aws:SourceIp", "[\"10.0.0.0/8\", \"192.0.2.7\"]", List.of("192.0.2.7"))).isTrue();
        assertThat(condition("IpAddress", "aws:SourceIp", "\"203.0.113.0/24\"", List.of("127.0.0.1"))).isFalse();
        assertThat(condition("IpAddress", "aws:SourceIp", "\"2001:db8::/32\"", List.of("2001:db8:0:1::5"))).isTrue();
        assertThat(condition("NotIpAddress", "aws:SourceIp", "\"127.0.0.0/8\"", List.of("127.0.0.1"))).isFalse();
        String connection = "arn:aws:apprunner:us-east-1:000000000000:connection/prod/abc";
        assertThat(condition("ArnLike", "apprunner:ConnectionArn", "\"arn:aws:apprunner:*:*:connection/prod/*\"", List.of(connection))).isTrue();
        assertThat(condition("ArnNotLike", "apprunner:ConnectionArn", "\"arn:aws:apprunner:*:*:connection/prod/*\"", List.of(connection))).isFalse();
        assertThat(condition("ArnEquals", "apprunner:ConnectionArn", "\"" + connection + "\"", List.of(connection))).isTrue();
        assertThat(condition("ArnNotEquals", "apprunner:ConnectionArn", "\"" + connection + "\"", List.of(connection + "x"))).isTrue();
        assertThat(condition("ArnLike", "apprunner:ConnectionArn", "\"arn:aws:apprunner:*\"", List.of(connection)))
                .as("an ARN pattern has its six parts").isFalse();
        assertThat(condition("Null", tag, "\"true\"", null)).isTrue();
        assertThat(condition("Null", tag, "\"true\"", List.of("web"))).isFalse();
        assertThat(condition("Null", tag, "\"false\"", List.of("web"))).isTrue();
        assertThat(condition("ForAllValues:StringEquals", "aws:TagKeys", "[\"team\", \"env\"]", List.of("team", "env"))).isTrue();
        assertThat(condition("ForAllValues:StringEquals", "aws:TagKeys", "[\"team\", \"env\"]", List.of("team", "owner"))).isFalse();
        assertThat(condition("ForAllValues:StringEquals", "aws:TagKeys", "[\"team\"]", null)).as("vacuously true").isTrue();
        assertThat(condition("ForAnyValue:StringEquals", "aws:TagKeys", "[\"team\"]", List.of("env", "team"))).isTrue();
        assertThat(condition("ForAnyValue:StringEquals", "aws:TagKeys", "[\"team\"]", null)).isFalse();
        assertThat(condition("StringEquals", "aws:ResourceTag/Owner", "\"${aws:username}\"", List.of("alice")))
                .as("a variable in a condition value").isFalse(); // aws:username is absent from this request
        assertThat(decide("{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": "
                + "{\"aws:resourcetag/owner\": \"${aws:username}\"}}}", "apprunner:DeleteService",
                Map.of("aws:ResourceTag/Owner", List.of("richard-roe"), "aws:username", List.of("richard-roe"))))
                .as("the guide's owner policy: key names are case-insensitive").isEqualTo(Decision.Effect.ALLOW);
        assertThat(decide("{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": {"
                + "\"StringEquals\": {\"aws:ResourceTag/team\": \"web\"}, \"IpAddress\": {\"aws:SourceIp\": \"127.0.0.0/8\"}}}",
                "apprunner:DeleteService", Map.of("aws:ResourceTag/team", List.of("web"), "aws:SourceIp", List.of("10.1.1.1"))))
                .as("operators are ANDed").isEqualTo(Decision.Effect.IMPLICIT_DENY);
    }

    @Test
    void theManagedPolicies() {
        Principal reader = Principal.user("r", List.of(), List.of(ManagedPolicies.named(ManagedPolicies.READ_ONLY).orElseThrow()));
        assertThat(reader.decide(new RequestContext("apprunner:ListServices", "*", Map.of())).allowed()).isTrue();
        assertThat(reader.decide(new RequestContext("apprunner:DescribeService", SERVICE, Map.of())).allowed()).isTrue();
        assertThat(reader.decide(new RequestContext("apprunner:DeleteService", SERVICE, Map.of())).allowed()).isFalse();
        Principal full = Principal.user("f", List.of(), List.of(ManagedPolicies.named(ManagedPolicies.FULL).orElseThrow()));
        assertThat(full.decide(new RequestContext("apprunner:DeleteService", SERVICE, Map.of())).allowed()).isTrue();
        assertThat(full.decide(new RequestContext("iam:CreateUser", "*", Map.of())).allowed()).isFalse();
    }

    @Test
    void mistakesSayWhereAndWhat() {
        assertRefused("{\"Statement\": [{\"Effect\": \"Permit\", \"Action\": \"*\", \"Resource\": \"*\"}]}",
                "at Statement.0.Effect (line 1)", "Effect must be \"Allow\" or \"Deny\"");
        assertRefused("{\"Statement\": [\n  {\"Effect\": \"Allow\",\n   \"Action\": \"*\"}\n]}",
                "at Statement.0 (line 2)", "exactly one of Resource and NotResource");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"NotAction\": \"x:y\", \"Resource\": \"*\"}}",
                "exactly one of Action and NotAction");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"apprunner\", \"Resource\": \"*\"}}", "is not an action");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"service/x\"}}", "is not a resource");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Principal\": \"*\"}}",
                "has no Principal");
        assertRefused("{\"Version\": \"2020-01-01\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}",
                "Version must be");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n \"Condition\": "
                + "{\"StringEqual\": {\"aws:SourceIp\": \"x\"}}}}", "at Statement.Condition.StringEqual (line 2)", "is not a condition operator");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": "
                + "{\"IpAddress\": {\"aws:SourceIp\": \"300.1.1.1\"}}}}", "is not an IP address");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": "
                + "{\"DateLessThan\": {\"aws:CurrentTime\": \"tomorrow\"}}}}", "is not a date");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Condition\": "
                + "{\"NumericLessThan\": {\"apprunner:MaxSize\": \"ten\"}}}}", "is not a number");
        assertRefused("{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Conditions\": {}}}",
                "unknown element Conditions");
        assertRefused("{\"Statement\": [", "is not valid JSON");
    }

    private static void assertRefused(String json, String... saying) {
        assertThatThrownBy(() -> PolicyDocument.parse("p", json)).isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(saying));
    }

    @Test
    void aPrincipalsFileSaysWhichPrincipalAndLine() {
        String file = """
                {"principals": [
                  {"name": "reader", "accessKeys": [{"accessKeyId": "AKIAREADER0000000001", "secretAccessKey": "reader-secret-0123456789"}],
                   "managedPolicies": ["AWSAppRunnerReadOnlyAccess"]},
                  {"name": "deployer", "type": "role", "tags": {"team": "web"},
                   "policies": [{"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Action": "apprunner:StartDeployment",
                      "Resource": "arn:aws:apprunner:*:*:service/web/*"}]}]}
                ]}""";
        Principals all = Principals.fromJson(file, "principals.json");
        assertThat(all.byAccessKey("AKIAREADER0000000001").map(Principal::name)).contains("reader");
        assertThat(all.secret("AKIAREADER0000000001")).contains("reader-secret-0123456789");
        assertThat(all.all().get(1).type()).isEqualTo(Principal.Type.ROLE);
        assertThat(all.all().get(1).tags()).containsEntry("team", "web");
        assertThat(all.toString() + all.all()).doesNotContain("reader-secret");
        assertThatThrownBy(() -> Principals.fromJson(file.replace("\"Allow\", \"Action\": \"apprunner:StartDeployment\"",
                "\"Allow\", \"Action\": \"apprunner:StartDeployment\", \"Sid\": 1, \"Bad\": 2"), "principals.json"))
                .hasMessageContaining("principals.json (principal deployer) is not valid at principals.1.policies.0.Statement.0.Bad (line 6)");
        assertThatThrownBy(() -> Principals.fromJson(file.replace("AWSAppRunnerReadOnlyAccess", "ReadOnly"), "principals.json"))
                .hasMessageContaining("(line 3)").hasMessageContaining("no managed policy is named 'ReadOnly'");
        assertThatThrownBy(() -> Principals.fromJson(file.replace("\"name\": \"deployer\"", "\"name\": \"reader\""), "principals.json"))
                .hasMessageContaining("another principal is named reader");
        assertThatThrownBy(() -> Principals.fromJson(file.replace("reader-secret-0123456789", "short"), "principals.json"))
                .hasMessageContaining("at least 16 characters").hasMessageNotContaining("short");
    }

    /** Adding a Deny statement to a policy never allows a request the policy did not allow. */
    @Property(tries = 400)
    void aDenyNeverAllowsMore(@ForAll("statements") List<String> statements, @ForAll("statement") String deny,
                              @ForAll("requests") RequestContext request) {
        Decision before = decide(statements, request);
        List<String> more = new ArrayList<>(statements);
        more.add(deny.replace("\"Allow\"", "\"Deny\""));
        Decision after = decide(more, request);
        if (after.allowed()) {
            assertThat(before.allowed()).isTrue();
        }
        if (before.effect() == Decision.Effect.EXPLICIT_DENY) {
            assertThat(after.effect()).isEqualTo(Decision.Effect.EXPLICIT_DENY);
        }
    }

    private static Decision decide(List<String> statements, RequestContext request) {
        if (statements.isEmpty()) {
            return Decision.IMPLICIT_DENY;
        }
        PolicyDocument p = PolicyDocument.parse("p", "{\"Statement\": [" + String.join(",", statements) + "]}");
        return Principal.user("u", List.of(), List.of(p)).decide(request);
    }

    @Provide
    Arbitrary<List<String>> statements() {
        return statement().list().ofMaxSize(4);
    }

    @Provide
    Arbitrary<String> statement() {
        Arbitrary<String> effect = Arbitraries.of("Allow", "Deny");
        Arbitrary<String> action = Arbitraries.of("*", "apprunner:*", "apprunner:Describe*", "apprunner:DeleteService",
                "apprunner:?elete*", "slipway:*");
        Arbitrary<String> actionField = Arbitraries.of("Action", "NotAction");
        Arbitrary<String> resource = Arbitraries.of("*", "arn:aws:apprunner:*:*:service/web/*", "arn:aws:apprunner:*:*:service/*",
                "arn:aws:apprunner:*:*:connection/*", "arn:aws:apprunner:*:*:service/${aws:username}/*");
        Arbitrary<String> resourceField = Arbitraries.of("Resource", "NotResource");
        Arbitrary<String> condition = Arbitraries.of("", ", \"Condition\": {\"StringEquals\": {\"aws:ResourceTag/team\": \"web\"}}",
                ", \"Condition\": {\"StringNotEquals\": {\"aws:ResourceTag/team\": \"web\"}}",
                ", \"Condition\": {\"IpAddress\": {\"aws:SourceIp\": \"127.0.0.0/8\"}}",
                ", \"Condition\": {\"ForAllValues:StringLike\": {\"aws:TagKeys\": \"t*\"}}",
                ", \"Condition\": {\"Null\": {\"aws:RequestTag/team\": \"true\"}}");
        return Combinators.combine(effect, action, actionField, resource, resourceField, condition).as((e, a, af, r, rf, c) ->
                "{\"Effect\": \"" + e + "\", \"" + af + "\": \"" + a + "\", \"" + rf + "\": \"" + r + "\"" + c + "}");
    }

    @Provide
    Arbitrary<RequestContext> requests() {
        Arbitrary<String> action = Arbitraries.of("apprunner:DeleteService", "apprunner:DescribeService", "apprunner:CreateConnection",
                "slipway:DescribeWebhook", "iam:CreateUser");
        Arbitrary<String> resource = Arbitraries.of("*", SERVICE, SERVICE.replace("preprod", "web"),
                "arn:aws:apprunner:us-east-1:000000000000:connection/c/1");
        Arbitrary<Map<String, List<String>>> keys = Combinators.combine(Arbitraries.of("web", "api", ""),
                Arbitraries.of("127.0.0.1", "10.0.0.1"), Arbitraries.of("team", "env", ""), Arbitraries.of("web", "alice", ""))
                .as((team, ip, tagKey, user) -> {
                    Map<String, List<String>> m = new HashMap<>();
                    if (!team.isEmpty()) {
                        m.put("aws:ResourceTag/team", List.of(team));
                    }
                    m.put("aws:SourceIp", List.of(ip));
                    if (!tagKey.isEmpty()) {
                        m.put("aws:TagKeys", List.of(tagKey));
                        m.put("aws:RequestTag/" + tagKey, List.of("x"));
                    }
                    if (!user.isEmpty()) {
                        m.put("aws:username", List.of(user));
                    }
                    return m;
                });
        return Combinators.combine(action, resource, keys).as(RequestContext::new);
    }
}
