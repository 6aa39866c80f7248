package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.observe.JsonLinesFile;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may do what, through the unmodified AWS CLI with a profile per principal: the guide's managed policies, a
 * deployer scoped to one service by ARN, creating only with its team's tag (aws:RequestTag, aws:TagKeys,
 * ${aws:PrincipalTag/...}), an explicit deny that wins over an allow, the guide's owner policy
 * (apprunner:ResourceTag/Owner = ${aws:username}), aws:SourceIp and aws:CurrentTime conditions; refusals say the
 * action and the resource and are in the audit trail; the file is read again when it changes (a broken change keeps
 * what was read before); no secret of the file is written anywhere.
 */
class IamPoliciesIT {
    private static final String READER_SECRET = "reader-secret-0123456789abcdef";
    private static final String DEPLOYER_SECRET = "deployer-secret-0123456789abcdef";
    private static final String OWNER_SECRET = "owner-secret-0123456789abcdef";
    private static final String OUTSIDER_SECRET = "outsider-secret-0123456789abcdef";

    @TempDir
    Path tmp;

    private String principals(String readerPolicy) {
        return """
                {"principals": [
                  {"name": "reader", "accessKeys": [{"accessKeyId": "AKIAREADER0000000001", "secretAccessKey": "%s"}],
                   "managedPolicies": ["%s"]},
                  {"name": "deployer", "tags": {"team": "web"},
                   "accessKeys": [{"accessKeyId": "AKIADEPLOYER00000001", "secretAccessKey": "%s"}],
                   "policies": [{"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Action": ["apprunner:List*", "apprunner:Describe*"], "Resource": "*"},
                     {"Effect": "Allow", "Action": ["apprunner:StartDeployment", "apprunner:DeleteService"],
                      "Resource": "arn:aws:apprunner:*:*:service/web-app/*"},
                     {"Sid": "CreateWithOurTeamTagOnly", "Effect": "Allow", "Action": "apprunner:CreateService", "Resource": "*",
                      "Condition": {"StringEquals": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"},
                                    "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}},
                     {"Sid": "NeverDelete", "Effect": "Deny", "Action": "apprunner:DeleteService", "Resource": "*"}]}]},
                  {"name": "richard-roe", "accessKeys": [{"accessKeyId": "AKIAOWNER00000000001", "secretAccessKey": "%s"}],
                   "policies": [{"Version": "2012-10-17", "Statement": [
                     {"Sid": "ListServicesInConsole", "Effect": "Allow", "Action": "apprunner:ListServices", "Resource": "*"},
                     {"Sid": "DeleteServiceIfOwner", "Effect": "Allow", "Action": "apprunner:DeleteService",
                      "Resource": "arn:aws:apprunner:*:*:service/*",
                      "Condition": {"StringEquals": {"apprunner:ResourceTag/Owner": "${aws:username}"}}}]}]},
                  {"name": "outsider", "accessKeys": [{"accessKeyId": "AKIAOUTSIDER00000001", "secretAccessKey": "%s"}],
                   "policies": [{"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}},
                     {"Effect": "Allow", "Action": "apprunner:DescribeService", "Resource": "*",
                      "Condition": {"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}}]}]}
                ]}""".formatted(READER_SECRET, readerPolicy, DEPLOYER_SECRET, OWNER_SECRET, OUTSIDER_SECRET);
    }

    @Test
    void eachPrincipalMayDoWhatItsPoliciesAllowAndNothingElse() throws Exception {
        Path state = tmp.resolve("state");
        Path file = Files.writeString(tmp.resolve("principals.json"), principals("AWSAppRunnerReadOnlyAccess"));
        Path profiles = Files.writeString(tmp.resolve("credentials"), """
                [reader]
                aws_access_key_id = AKIAREADER0000000001
                aws_secret_access_key = %s
                [deployer]
                aws_access_key_id = AKIADEPLOYER00000001
                aws_secret_access_key = %s
                [richard-roe]
                aws_access_key_id = AKIAOWNER00000000001
                aws_secret_access_key = %s
                [outsider]
                aws_access_key_id = AKIAOUTSIDER00000001
                aws_secret_access_key = %s
                """.formatted(READER_SECRET, DEPLOYER_SECRET, OWNER_SECRET, OUTSIDER_SECRET));
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(state).allowedSourceDirectories(List.of(tmp)).build();
             PrincipalsFile principals = PrincipalsFile.watch(file)) {
            ApiServer api = ApiServer.start(slipway, new ApiKeys(credentials, principals), "127.0.0.1", 0, ApiThrottle.DEFAULT);
            try {
                AwsCli admin = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
                AwsCli reader = profile(api, profiles, "reader");
                AwsCli deployer = profile(api, profiles, "deployer");
                AwsCli owner = profile(api, profiles, "richard-roe");
                AwsCli outsider = profile(api, profiles, "outsider");
                String web = create(admin, "web-app", "Key=Owner,Value=richard-roe");
                String other = create(admin, "other", "Key=Owner,Value=someone-else");
                admin.awaitStatus(web, "RUNNING");
                admin.awaitStatus(other, "RUNNING");

                // the guide's read-only managed policy
                assertThat(reader.ok("list-services").get("ServiceSummaryList")).hasSize(2);
                assertThat(reader.ok("describe-service", "--service-arn", web).at("/Service/ServiceName").asText()).isEqualTo("web-app");
                AwsCli.Result refused = reader.apprunner("pause-service", "--service-arn", web);
                assertThat(refused.errorCode()).isEqualTo("AccessDeniedException");
                assertThat(refused.stderr()).contains("User: arn:aws:iam::000000000000:user/reader is not authorized to perform: "
                        + "apprunner:PauseService on resource: " + web + " because no identity-based policy allows the "
                        + "apprunner:PauseService action");

                // scoped by ARN, creating only with the team's tag, and a Deny that wins over an Allow
                deployer.ok("start-deployment", "--service-arn", web);
                assertThat(deployer.apprunner("start-deployment", "--service-arn", other).errorCode()).isEqualTo("AccessDeniedException");
                String source = "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + tmp.resolve("absent")
                        + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}";
                assertThat(deployer.apprunner("create-service", "--service-name", "theirs", "--source-configuration", source,
                        "--tags", "Key=team,Value=api").errorCode()).as("another team's tag").isEqualTo("AccessDeniedException");
                assertThat(deployer.apprunner("create-service", "--service-name", "theirs", "--source-configuration", source,
                        "--tags", "Key=team,Value=web", "Key=env,Value=prod").errorCode()).as("a tag key not allowed")
                        .isEqualTo("AccessDeniedException");
                assertThat(deployer.apprunner("create-service", "--service-name", "theirs", "--source-configuration", source)
                        .errorCode()).as("no tag at all").isEqualTo("AccessDeniedException");
                String ours = deployer.ok("create-service", "--service-name", "ours-web", "--source-configuration", source,
                        "--tags", "Key=team,Value=web").at("/Service/ServiceArn").asText();
                AwsCli.Result denied = deployer.apprunner("delete-service", "--service-arn", web);
                assertThat(denied.errorCode()).isEqualTo("AccessDeniedException");
                assertThat(denied.stderr()).contains("with an explicit deny in an identity-based policy").contains("NeverDelete");

                // the guide's owner policy: only what is tagged Owner=<their user name>
                assertThat(owner.apprunner("delete-service", "--service-arn", other).errorCode()).isEqualTo("AccessDeniedException");
                owner.ok("delete-service", "--service-arn", web);

                // conditions on where the call comes from, and when
                assertThat(outsider.apprunner("list-services").errorCode()).as("not from 203.0.113.0/24").isEqualTo("AccessDeniedException");
                assertThat(outsider.apprunner("describe-service", "--service-arn", other).errorCode()).as("expired")
                        .isEqualTo("AccessDeniedException");

                // refusals are in the audit trail, with who made them
                List<JsonNode> audit = JsonLinesFile.lines(state.resolve("audit"), "audit.log").stream().map(IamPoliciesIT::json).toList();
                assertThat(audit).filteredOn(r -> r.path("errorCode").asText().equals("AccessDeniedException"))
                        .extracting(r -> r.at("/userIdentity/userName").asText())
                        .contains("reader", "deployer", "richard-roe", "outsider");
                assertThat(audit).filteredOn(r -> r.path("eventName").asText().equals("DeleteService") && r.path("errorCode").isMissingNode())
                        .singleElement().satisfies(r -> assertThat(r.at("/userIdentity/arn").asText())
                                .isEqualTo("arn:aws:iam::000000000000:user/richard-roe"));

                // the file is read again when it changes; a broken change keeps the principals read before
                Files.writeString(file, principals("AWSAppRunnerFullAccess"));
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> reader.apprunner("pause-service", "--service-arn", other).exitCode() == 0);
                Files.writeString(file, principals("NoSuchPolicy"));
                principals.reloadIfChanged(); // as the watcher does within 2 s
                assertThat(principals.get().byAccessKey("AKIAREADER0000000001").orElseThrow().policies())
                        .extracting(dev.slipway.core.iam.PolicyDocument::name).containsExactly("AWSAppRunnerFullAccess");
                admin.awaitStatus(other, "PAUSED");
                reader.ok("resume-service", "--service-arn", other);
                admin.ok("delete-service", "--service-arn", ours);
            } finally {
                api.close();
            }
        }
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (String secret : List.of(READER_SECRET, DEPLOYER_SECRET, OWNER_SECRET, OUTSIDER_SECRET)) {
                    assertThat(text).as(f + " holds no secret of the principals").doesNotContain(secret);
                }
            }
        }
    }

    @Test
    void aBrokenPrincipalsFileStopsTheServerSayingWhereAndWhat() throws Exception {
        Path file = Files.writeString(tmp.resolve("principals.json"), principals("AWSAppRunnerReadOnlyAccess")
                .replace("\"Effect\": \"Deny\"", "\"Effect\": \"Refuse\""));
        SlipwayJar bad = SlipwayJar.run("server", "--principals", file.toString(), "--state-dir", tmp.resolve("state").toString());
        assertThat(bad.process().exitValue()).isEqualTo(2);
        assertThat(String.join("\n", bad.output())).contains("(principal deployer) is not valid at principals.1.policies.0.Statement.3.Effect "
                + "(line 13): Effect must be \"Allow\" or \"Deny\"").doesNotContain(DEPLOYER_SECRET);
    }

    /**
     * A secret access key sealed with {@code slipway keys seal} (read from standard input) is the only form of it in the
     * principals file; a server with that master key takes it, one with another master key stops saying which key of
     * which principal it cannot open.
     */
    @Test
    void aSealedSecretAccessKeyOpensOnlyWithTheMasterKeyItWasSealedWith() throws Exception {
        Path master = tmp.resolve("master.key");
        Files.write(master, java.security.SecureRandom.getInstanceStrong().generateSeed(32));
        SlipwayJar seal = SlipwayJar.start("keys", "seal", "--master-key-file", master.toString());
        try (var stdin = seal.process().getOutputStream()) {
            stdin.write((READER_SECRET + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertThat(seal.awaitExit(Duration.ofMinutes(1))).as(String.join("\n", seal.output())).isZero();
        String sealed = seal.output().stream().filter(l -> l.startsWith("enc:v1:")).findFirst().orElseThrow();
        Path file = Files.writeString(tmp.resolve("principals.json"), principals("AWSAppRunnerReadOnlyAccess")
                .replace(READER_SECRET, sealed));
        assertThat(Files.readString(file)).doesNotContain(READER_SECRET);

        SlipwayJar server = SlipwayJar.start("server", "--principals", file.toString(), "--master-key-file", master.toString(),
                "--state-dir", tmp.resolve("state").toString(), "--api-port", "0", "--router-port", "0", "--no-console");
        try {
            java.util.regex.Matcher ports = server.awaitLine(java.util.regex.Pattern.compile(
                    "Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*"), Duration.ofMinutes(1));
            AwsCli reader = AwsCli.withKeys(Integer.parseInt(ports.group(1)), "AKIAREADER0000000001", READER_SECRET);
            assertThat(reader.ok("list-services").get("ServiceSummaryList")).isEmpty();
            var noConsole = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + ports.group(1) + "/console/sign-in")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(noConsole.statusCode()).as("--no-console").isEqualTo(404);
            assertThat(server.output()).noneMatch(l -> l.startsWith("Console:"));
        } finally {
            server.sigterm();
            server.awaitExit(Duration.ofMinutes(1));
        }
        assertThat(String.join("\n", server.output())).doesNotContain(READER_SECRET);

        Path other = Files.write(tmp.resolve("other.key"), new byte[32]);
        SlipwayJar refused = SlipwayJar.run("server", "--principals", file.toString(), "--master-key-file", other.toString(),
                "--state-dir", tmp.resolve("state2").toString(), "--api-port", "0", "--router-port", "0");
        assertThat(refused.process().exitValue()).isEqualTo(2);
        assertThat(String.join("\n", refused.output())).contains("(principal reader) is not valid at "
                + "principals.0.accessKeys.0.secretAccessKey").contains("the sealed secret access key cannot be opened");
    }

    private static AwsCli profile(ApiServer api, Path credentials, String name) {
        return new AwsCli(api.port(), Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString(), "AWS_PROFILE", name));
    }

    private String create(AwsCli admin, String name, String tag) throws Exception {
        return admin.ok("create-service", "--service-name", name, "--source-configuration",
                "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + tmp.resolve("app")
                        + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}", "--tags", tag)
                .at("/Service/ServiceArn").asText();
    }

    private static JsonNode json(String line) {
        try {
            return dev.slipway.core.model.Shapes.mapper().readTree(line);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
