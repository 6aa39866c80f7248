package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.model.Shapes;
import dev.slipway.core.observe.AuditTrail;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail through the unmodified AWS CLI: one CloudTrail-shaped record per call, allowed or refused, with the
 * guide's redactions, no secret anywhere in its files, and {@code slipway audit} reading it.
 */
class AuditTrailIT {
    private static final String ENV_SECRET = "s3cr3t-env-value-4711";
    private static final String COMMAND_SECRET = "--password=hunter2-in-a-command";
    private static final String TOKEN = "ghp_audit_token_0123456789";

    @TempDir
    Path tmp;

    @Test
    void everyCallIsRecordedOnceAsCloudTrailRecordsItAndNoSecretReachesTheFiles() throws Exception {
        Path state = tmp.resolve("state");
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(state).allowedSourceDirectories(List.of(tmp)).build()) {
            ApiServer api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
            try {
                AwsCli aws = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
                String source = "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + app
                        + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},\"CodeConfiguration\":{"
                        + "\"ConfigurationSource\":\"API\",\"CodeConfigurationValues\":{\"Runtime\":\"PYTHON_3\","
                        + "\"BuildCommand\":\"echo " + COMMAND_SECRET + "\",\"StartCommand\":\"python server.py " + COMMAND_SECRET
                        + "\",\"Port\":\"8080\",\"RuntimeEnvironmentVariables\":{\"NAME\":\"" + ENV_SECRET + "\"}}}}}";
                String arn = aws.ok("create-service", "--service-name", "audited", "--source-configuration", source)
                        .at("/Service/ServiceArn").asText();
                aws.ok("describe-service", "--service-arn", arn);
                AwsCli.Result invalid = aws.apprunner("create-service", "--service-name", "not a valid name", "--source-configuration", source);
                assertThat(invalid.errorCode()).isEqualTo("InvalidRequestException");
                AwsCli.Result forged = AwsCli.withKeys(api.port(), credentials.accessKeyId(), "not-the-secret-key")
                        .apprunner("list-services");
                assertThat(forged.exitCode()).isNotZero();
                String connection = aws.ok("create-connection", "--connection-name", "audit-gh", "--provider-type", "GITHUB")
                        .at("/Connection/ConnectionArn").asText();
                Path tokenFile = tmp.resolve("token");
                Files.writeString(tokenFile, TOKEN);
                SlipwayJar complete = SlipwayJar.run("connection", "complete", "--name", "audit-gh", "--token-file", tokenFile.toString(),
                        "--endpoint-url", "http://127.0.0.1:" + api.port(), "--state-dir", state.toString());
                assertThat(complete.process().exitValue()).isZero();
                String webhookSecret = slipway.webhook(arn, false).secret();
                SlipwayJar shown = SlipwayJar.run("webhook", "show", "--service-arn", arn, "--endpoint-url",
                        "http://127.0.0.1:" + api.port(), "--state-dir", state.toString());
                assertThat(shown.process().exitValue()).isZero();
                HttpResponse401 refused = HttpResponse401.post(api.port(), slipway.describeService(
                        new dev.slipway.core.api.DescribeServiceRequest(arn)).service().serviceId());

                List<JsonNode> records = new ArrayList<>();
                for (String line : AuditTrail.lines(state.resolve("audit"))) {
                    records.add(Shapes.mapper().readTree(line));
                }
                assertThat(records).extracting(r -> r.path("eventName").asText()).containsExactly("CreateService",
                        "DescribeService", "CreateService", "ListServices", "CreateConnection",
                        "Slipway.CompleteConnectionHandshake", "Slipway.DescribeWebhook", "ReceiveWebhook");

                JsonNode created = records.get(0);
                assertThat(created.path("eventVersion").asText()).isEqualTo("1.08");
                assertThat(created.path("eventSource").asText()).isEqualTo("apprunner.amazonaws.com");
                assertThat(created.path("awsRegion").asText()).isEqualTo("us-east-1");
                assertThat(created.path("sourceIPAddress").asText()).isEqualTo("127.0.0.1");
                assertThat(created.path("userAgent").asText()).startsWith("aws-cli/");
                assertThat(created.at("/userIdentity/type").asText()).isEqualTo("IAMUser");
                assertThat(created.at("/userIdentity/accessKeyId").asText()).isEqualTo(credentials.accessKeyId());
                assertThat(created.at("/userIdentity/userName").asText()).isEqualTo("slipway-admin");
                assertThat(created.at("/requestParameters/serviceName").asText()).isEqualTo("audited");
                JsonNode values = created.at("/requestParameters/sourceConfiguration/codeRepository/codeConfiguration/codeConfigurationValues");
                assertThat(values.path("runtime").asText()).isEqualTo("PYTHON_3");
                assertThat(values.path("port").asText()).isEqualTo("8080");
                for (String hidden : List.of("buildCommand", "startCommand", "runtimeEnvironmentVariables")) {
                    assertThat(values.path(hidden).asText()).as(hidden).isEqualTo(AuditTrail.HIDDEN);
                }
                assertThat(created.at("/responseElements/service/serviceArn").asText()).isEqualTo(arn);
                assertThat(created.at("/responseElements/service/sourceConfiguration/codeRepository/codeConfiguration"
                        + "/codeConfigurationValues/startCommand").asText()).isEqualTo(AuditTrail.HIDDEN);
                assertThat(created.path("readOnly").asBoolean()).isFalse();
                assertThat(created.has("errorCode")).isFalse();

                assertThat(records.get(1).path("readOnly").asBoolean()).isTrue();
                assertThat(records.get(1).path("responseElements").isNull()).isTrue();
                assertThat(records.get(2).path("errorCode").asText()).isEqualTo("InvalidRequestException");
                assertThat(records.get(2).path("errorMessage").asText()).contains("serviceName");
                assertThat(records.get(3).at("/userIdentity/type").asText()).as("a signature that did not verify").isEqualTo("Unknown");
                assertThat(records.get(3).path("errorCode").asText()).isNotEmpty();
                assertThat(records.get(5).at("/requestParameters/token").asText()).isEqualTo(AuditTrail.HIDDEN);
                assertThat(records.get(6).at("/responseElements/secret").asText()).isEqualTo(AuditTrail.HIDDEN);
                assertThat(records.get(7).path("errorCode").asText()).isEqualTo("UnauthorizedWebhookCall");
                assertThat(refused.status()).isEqualTo(401);
                assertThat(records).extracting(r -> r.path("requestID").asText()).doesNotHaveDuplicates();

                // no secret in any file of the trail
                try (Stream<Path> files = Files.list(state.resolve("audit"))) {
                    for (Path f : files.toList()) {
                        assertThat(Files.readString(f)).as(f.toString()).doesNotContain(ENV_SECRET, COMMAND_SECRET, TOKEN,
                                webhookSecret, credentials.secretAccessKey(), "hunter2");
                    }
                }
                SlipwayJar read = SlipwayJar.run("audit", "--event-name", "CreateService", "--errors", "--state-dir", state.toString());
                assertThat(read.process().exitValue()).isZero();
                assertThat(read.output()).singleElement().satisfies(l -> assertThat(l).contains("\"errorCode\":\"InvalidRequestException\""));
                assertThat(connection).isNotEmpty();
            } finally {
                api.close();
            }
        }
    }

    /** A webhook call without a signature (refused), by a plain HTTP client. */
    record HttpResponse401(int status) {
        static HttpResponse401 post(int port, String serviceId) throws Exception {
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/webhooks/" + serviceId))
                    .header("X-GitHub-Event", "push").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new HttpResponse401(r.statusCode());
        }
    }
}
