package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Quotas;
import dev.slipway.core.Slipway;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The unmodified AWS CLI drives the API server through the guide's tutorial, its errors and its authentication. */
class AwsCliIT {
    @TempDir
    Path tmp;

    private Slipway slipway;
    private ApiServer api;
    private ApiCredentials credentials;
    private AwsCli aws;
    private HttpProbe http;

    @BeforeEach
    void start() {
        Path state = tmp.resolve("state");
        credentials = ApiCredentials.load(Map.of(), state);
        slipway = Slipway.builder().routerPort(0).stateDir(state).quotas(new Quotas(10, 1, 10, 10))
                .securityGroup("only-postgres", "10.0.0.0/8:5432").build();
        api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
        aws = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
        http = new HttpProbe(slipway.routerPort().orElseThrow());
    }

    @AfterEach
    void stop() {
        api.close();
        slipway.close();
    }

    @Test
    void generatedCredentialsAreASharedCredentialsFileOnlyTheOwnerCanRead() throws Exception {
        Path file = credentials.file().orElseThrow();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).startsWith("[slipway]\naws_access_key_id = AKIA");
        assertThat(ApiCredentials.load(Map.of(), file.getParent())).isEqualTo(credentials);
        assertThat(credentials.toString()).doesNotContain(credentials.secretAccessKey());
        ApiCredentials fromEnv = ApiCredentials.load(Map.of("SLIPWAY_ACCESS_KEY_ID", "AKIAENV", "SLIPWAY_SECRET_ACCESS_KEY", "s"), file.getParent());
        assertThat(fromEnv.accessKeyId()).isEqualTo("AKIAENV");
        assertThat(fromEnv.file()).isEmpty();
    }

    @Test
    void vpcConnectorsAreCreatedDescribedListedAndDeletedWithTheAwsCli() throws Exception {
        var created = aws.ok("create-vpc-connector", "--vpc-connector-name", "db-access", "--subnets", "backend-net", "subnet-0a1b",
                "--security-groups", "only-postgres", "--tags", "Key=team,Value=data").get("VpcConnector");
        String arn = created.get("VpcConnectorArn").asText();
        assertThat(arn).matches("arn:aws:apprunner:us-east-1:\\d{12}:vpcconnector/db-access/1/[0-9a-f]{32}");
        assertThat(created.get("Status").asText()).isEqualTo("ACTIVE");
        assertThat(created.get("Subnets")).extracting(n -> n.asText()).containsExactly("backend-net", "subnet-0a1b");
        assertThat(aws.ok("describe-vpc-connector", "--vpc-connector-arn", arn).at("/VpcConnector/SecurityGroups/0").asText())
                .isEqualTo("only-postgres");
        assertThat(aws.ok("list-vpc-connectors").get("VpcConnectors")).hasSize(1);
        assertThat(aws.ok("list-tags-for-resource", "--resource-arn", arn).at("/Tags/0/Value").asText()).isEqualTo("data");

        AwsCli.Result duplicate = aws.apprunner("create-vpc-connector", "--vpc-connector-name", "db-access", "--subnets", "other");
        assertThat(duplicate.errorCode()).isEqualTo("InvalidRequestException");
        AwsCli.Result badId = aws.apprunner("create-vpc-connector", "--vpc-connector-name", "bad-subnet", "--subnets", "has space");
        assertThat(badId.stderr()).contains("Subnets has 'has space', not an id");
        // the local backend's instances are this host's processes: a service cannot attach the connector, and says why
        AwsCli.Result attach = aws.apprunner("create-service", "--service-name", "attached", "--source-configuration",
                "{\"CodeRepository\": {\"RepositoryUrl\": \"https://example.com/app.git\", \"SourceCodeVersion\": {\"Type\": \"BRANCH\", \"Value\": \"main\"}}}",
                "--network-configuration", "{\"EgressConfiguration\": {\"EgressType\": \"VPC\", \"VpcConnectorArn\": \"" + arn + "\"}}");
        assertThat(attach.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(attach.stderr()).contains("EgressType VPC").contains("run the service on the docker or kubernetes backend");
        assertThat(aws.ok("list-services").get("ServiceSummaryList")).isEmpty();

        var deleted = aws.ok("delete-vpc-connector", "--vpc-connector-arn", arn).get("VpcConnector");
        assertThat(deleted.get("Status").asText()).isEqualTo("INACTIVE");
        assertThat(deleted.has("DeletedAt")).isTrue();
        assertThat(aws.apprunner("delete-vpc-connector", "--vpc-connector-arn", arn).errorCode()).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void theGettingStartedTutorialWithAwsApprunnerCommandsAlone() throws Exception {
        Path repo = tmp.resolve("python-hello");
        Git git = TestApps.gitRepositoryWithGreeter(repo, "Hello", "Jane");
        Path input = tmp.resolve("service.json");
        Files.writeString(input, """
                {
                  "ServiceName": "python-test",
                  "SourceConfiguration": {
                    "CodeRepository": {
                      "RepositoryUrl": "%s",
                      "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                      "CodeConfiguration": {"ConfigurationSource": "REPOSITORY"}
                    },
                    "AutoDeploymentsEnabled": false
                  },
                  "InstanceConfiguration": {"Cpu": "1 vCPU", "Memory": "2 GB"},
                  "Tags": [{"Key": "stage", "Value": "tutorial"}]
                }
                """.formatted(repo.toUri()));

        // step 1: create the service
        JsonNode created = aws.ok("create-service", "--cli-input-json", "file://" + input);
        assertThat(created.at("/Service/Status").asText()).isEqualTo("OPERATION_IN_PROGRESS");
        assertThat(created.at("/OperationId").asText()).matches("[0-9a-f-]{36}");
        String arn = created.at("/Service/ServiceArn").asText();
        String url = created.at("/Service/ServiceUrl").asText();
        aws.awaitStatus(arn, "RUNNING");
        assertThat(http.get(url).body()).isEqualTo("Hello, Jane!");
        JsonNode described = aws.ok("describe-service", "--service-arn", arn).get("Service");
        assertThat(described.at("/InstanceConfiguration/Cpu").asText()).isEqualTo("1 vCPU");
        assertThat(described.at("/HealthCheckConfiguration/Protocol").asText()).isEqualTo("TCP");
        assertThat(described.at("/AutoScalingConfigurationSummary/AutoScalingConfigurationName").asText()).isEqualTo("DefaultConfiguration");
        assertThat(described.at("/NetworkConfiguration/EgressConfiguration/EgressType").asText()).isEqualTo("DEFAULT");
        assertThat(described.get("CreatedAt").asText()).isNotEmpty(); // epoch seconds on the wire; CLI v2 prints ISO 8601

        // step 2: a code change, deployed by hand
        Files.writeString(repo.resolve("server.py"), TestApps.pythonGreeter("Good morning"));
        TestApps.commitAll(git, "good morning");
        String deployment = aws.ok("start-deployment", "--service-arn", arn).get("OperationId").asText();
        aws.awaitOperation(arn, deployment, "SUCCEEDED");
        assertThat(http.get(url).body()).isEqualTo("Good morning, Jane!");

        // step 3: a configuration change
        aws.ok("update-service", "--service-arn", arn, "--source-configuration", """
                {"CodeRepository": {"RepositoryUrl": "%s", "SourceCodeVersion": {"Type": "BRANCH", "Value": "main"},
                 "CodeConfiguration": {"ConfigurationSource": "API", "CodeConfigurationValues": {"Runtime": "PYTHON_3",
                 "StartCommand": "python server.py", "Port": "8080", "RuntimeEnvironmentVariables": {"NAME": "Joe"}}}}}
                """.formatted(repo.toUri()));
        aws.awaitStatus(arn, "RUNNING");
        assertThat(http.get(url).body()).isEqualTo("Good morning, Joe!");

        // step 4: the activity: every operation, newest first
        JsonNode operations = aws.ok("list-operations", "--service-arn", arn).get("OperationSummaryList");
        assertThat(operations).extracting(o -> o.get("Type").asText())
                .containsExactly("UPDATE_SERVICE", "START_DEPLOYMENT", "CREATE_SERVICE");
        assertThat(operations).allMatch(o -> o.get("Status").asText().equals("SUCCEEDED"));

        // pause and resume
        aws.ok("pause-service", "--service-arn", arn);
        aws.awaitStatus(arn, "PAUSED");
        assertThat(http.get(url).statusCode()).isEqualTo(503);
        assertThat(aws.apprunner("start-deployment", "--service-arn", arn).errorCode()).isEqualTo("InvalidStateException");
        aws.ok("resume-service", "--service-arn", arn);
        aws.awaitStatus(arn, "RUNNING");
        assertThat(http.get(url).body()).isEqualTo("Good morning, Joe!");

        // Slipway's extensions are tags the CLI sets as it is; a bad value is refused and changes nothing
        aws.ok("tag-resource", "--resource-arn", arn, "--tags",
                "[{\"Key\": \"slipway:traffic-steps\", \"Value\": \"10,50\"}, {\"Key\": \"slipway:revision-tag\", \"Value\": \"canary\"}]");
        AwsCli.Result bad = aws.apprunner("tag-resource", "--resource-arn", arn, "--tags", "Key=slipway:revision-tag,Value=Bad_Tag");
        assertThat(bad.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(bad.stderr()).contains("slipway:revision-tag must be a DNS label");
        assertThat(aws.ok("list-tags-for-resource", "--resource-arn", arn).get("Tags")).extracting(t -> t.get("Value").asText())
                .containsExactly("tutorial", "10,50", "canary");

        // step 5: clean up
        assertThat(aws.ok("list-tags-for-resource", "--resource-arn", arn).at("/Tags/0/Value").asText()).isEqualTo("tutorial");
        aws.ok("delete-service", "--service-arn", arn);
        await().atMost(Duration.ofSeconds(60)).until(() ->
                aws.ok("list-services").get("ServiceSummaryList").isEmpty());
        assertThat(http.get(url).statusCode()).isEqualTo(404);
        assertThat(aws.apprunner("describe-service", "--service-arn", arn).errorCode()).isEqualTo("ResourceNotFoundException");
    }

    @Test
    void everyErrorClassReachesTheCliWithItsCodeAndMessage() throws Exception {
        AwsCli.Result minOverMax = aws.apprunner("create-auto-scaling-configuration", "--auto-scaling-configuration-name", "tight",
                "--min-size", "5", "--max-size", "2");
        assertThat(minOverMax.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(minOverMax.stderr()).contains("MinSize (5) must not be greater than MaxSize (2)");

        AwsCli.Result missing = aws.apprunner("describe-service", "--service-arn",
                "arn:aws:apprunner:us-east-1:000000000000:service/ghost/0123456789abcdef0123456789abcdef");
        assertThat(missing.errorCode()).isEqualTo("ResourceNotFoundException");

        aws.ok("create-connection", "--connection-name", "first-conn", "--provider-type", "GITHUB");
        AwsCli.Result quota = aws.apprunner("create-connection", "--connection-name", "second-conn", "--provider-type", "GITHUB");
        assertThat(quota.errorCode()).isEqualTo("ServiceQuotaExceededException");

        JsonNode created = aws.ok("create-service", "--service-name", "never-there", "--source-configuration",
                "{\"CodeRepository\":{\"RepositoryUrl\":\"" + tmp.resolve("absent").toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}");
        String arn = created.at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "CREATE_FAILED");
        AwsCli.Result invalidState = aws.apprunner("pause-service", "--service-arn", arn);
        assertThat(invalidState.errorCode()).isEqualTo("InvalidStateException");
        assertThat(invalidState.stderr()).contains("can only be deleted");
    }

    /**
     * Observability configurations as the model shapes them: revisions of a name, Latest, partial ARNs, the reserved
     * name, LatestOnly, a service naming one (resolved to the revision), deletion refused while in use, then INACTIVE;
     * each bad input answered with the model's error and nothing created.
     */
    @Test
    void observabilityConfigurationsHaveRevisionsAndServicesUseThem() throws Exception {
        JsonNode first = aws.ok("create-observability-configuration", "--observability-configuration-name", "xray-tracing",
                "--trace-configuration", "Vendor=AWSXRAY", "--tags", "Key=team,Value=web").get("ObservabilityConfiguration");
        assertThat(first.get("ObservabilityConfigurationRevision").asInt()).isEqualTo(1);
        assertThat(first.get("Latest").asBoolean()).isTrue();
        assertThat(first.get("Status").asText()).isEqualTo("ACTIVE");
        assertThat(first.at("/TraceConfiguration/Vendor").asText()).isEqualTo("AWSXRAY");
        String firstArn = first.get("ObservabilityConfigurationArn").asText();
        assertThat(firstArn).matches("arn:aws:apprunner:us-east-1:000000000000:observabilityconfiguration/xray-tracing/1/[0-9a-f]{32}");
        String second = aws.ok("create-observability-configuration", "--observability-configuration-name", "xray-tracing",
                "--trace-configuration", "Vendor=AWSXRAY").at("/ObservabilityConfiguration/ObservabilityConfigurationArn").asText();
        JsonNode untraced = aws.ok("create-observability-configuration", "--observability-configuration-name", "no-tracing")
                .get("ObservabilityConfiguration");
        assertThat(untraced.has("TraceConfiguration")).isFalse();
        String byName = "arn:aws:apprunner:us-east-1:000000000000:observabilityconfiguration/xray-tracing";
        assertThat(aws.ok("describe-observability-configuration", "--observability-configuration-arn", byName)
                .at("/ObservabilityConfiguration/ObservabilityConfigurationArn").asText()).isEqualTo(second);
        assertThat(aws.ok("describe-observability-configuration", "--observability-configuration-arn", byName + "/1")
                .at("/ObservabilityConfiguration/Latest").asBoolean()).isFalse();
        assertThat(aws.ok("list-observability-configurations").get("ObservabilityConfigurationSummaryList"))
                .extracting(n -> n.get("ObservabilityConfigurationName").asText() + "/" + n.get("ObservabilityConfigurationRevision").asInt())
                .containsExactly("no-tracing/1", "xray-tracing/2");
        assertThat(aws.ok("list-observability-configurations", "--no-latest-only", "--observability-configuration-name",
                "xray-tracing").get("ObservabilityConfigurationSummaryList")).hasSize(2);
        assertThat(aws.ok("list-tags-for-resource", "--resource-arn", firstArn).get("Tags")).hasSize(1);

        AwsCli.Result reserved = aws.apprunner("create-observability-configuration", "--observability-configuration-name",
                "DefaultConfiguration");
        assertThat(reserved.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(reserved.stderr()).contains("DefaultConfiguration is reserved");
        AwsCli.Result vendor = aws.apprunner("create-observability-configuration", "--observability-configuration-name",
                "jaeger-tracing", "--trace-configuration", "Vendor=JAEGER");
        assertThat(vendor.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(vendor.stderr()).contains("'traceConfiguration.vendor'").contains("[AWSXRAY]");

        String source = "{\"CodeRepository\":{\"RepositoryUrl\":\"" + tmp.resolve("absent").toUri()
                + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}";
        AwsCli.Result unknown = aws.apprunner("create-service", "--service-name", "traced", "--source-configuration", source,
                "--observability-configuration", "ObservabilityEnabled=true,ObservabilityConfigurationArn=" + byName.replace("xray", "zipkin"));
        assertThat(unknown.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(unknown.stderr()).contains("No active observability configuration");
        AwsCli.Result noArn = aws.apprunner("create-service", "--service-name", "traced", "--source-configuration", source,
                "--observability-configuration", "ObservabilityEnabled=true");
        assertThat(noArn.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(noArn.stderr()).contains("observabilityConfigurationArn is required when observabilityEnabled is true");
        assertThat(aws.ok("list-services").get("ServiceSummaryList")).as("nothing half-created").isEmpty();

        JsonNode service = aws.ok("create-service", "--service-name", "traced", "--source-configuration", source,
                "--observability-configuration", "ObservabilityEnabled=true,ObservabilityConfigurationArn=" + byName).get("Service");
        assertThat(service.at("/ObservabilityConfiguration/ObservabilityEnabled").asBoolean()).isTrue();
        assertThat(service.at("/ObservabilityConfiguration/ObservabilityConfigurationArn").asText()).isEqualTo(second);
        AwsCli.Result inUse = aws.apprunner("delete-observability-configuration", "--observability-configuration-arn", second);
        assertThat(inUse.errorCode()).isEqualTo("InvalidRequestException");
        assertThat(inUse.stderr()).contains("is used by a service");
        String serviceArn = service.get("ServiceArn").asText();
        aws.awaitStatus(serviceArn, "CREATE_FAILED");
        aws.ok("delete-service", "--service-arn", serviceArn);
        await().atMost(Duration.ofMinutes(1)).until(() -> aws.ok("list-services").get("ServiceSummaryList").isEmpty());

        JsonNode deleted = aws.ok("delete-observability-configuration", "--observability-configuration-arn", second)
                .get("ObservabilityConfiguration");
        assertThat(deleted.get("Status").asText()).isEqualTo("INACTIVE");
        assertThat(deleted.has("DeletedAt")).isTrue();
        assertThat(aws.apprunner("describe-observability-configuration", "--observability-configuration-arn", second).errorCode())
                .isEqualTo("ResourceNotFoundException");
        AwsCli.Result deletedOne = aws.apprunner("create-service", "--service-name", "traced", "--source-configuration", source,
                "--observability-configuration", "ObservabilityEnabled=true,ObservabilityConfigurationArn=" + second);
        assertThat(deletedOne.errorCode()).as("a deleted revision").isEqualTo("InvalidRequestException");
        assertThat(deletedOne.stderr()).contains("No active observability configuration " + second);
        assertThat(aws.ok("describe-observability-configuration", "--observability-configuration-arn", byName)
                .at("/ObservabilityConfiguration/ObservabilityConfigurationArn").asText()).as("the latest active is revision 1 again")
                .isEqualTo(firstArn);
    }

    @Test
    void listsArePagedWithMaxResultsAndNextToken() throws Exception {
        for (String name : new String[] {"scale-a", "scale-b", "scale-c"}) {
            aws.ok("create-auto-scaling-configuration", "--auto-scaling-configuration-name", name);
        }
        JsonNode first = aws.ok("list-auto-scaling-configurations", "--max-results", "2");
        assertThat(first.get("AutoScalingConfigurationSummaryList")).hasSize(2);
        JsonNode second = aws.ok("list-auto-scaling-configurations", "--max-results", "2",
                "--next-token", first.get("NextToken").asText());
        assertThat(second.get("AutoScalingConfigurationSummaryList")).hasSize(2);
        assertThat(second.has("NextToken")).isFalse();
        AwsCli.Result badToken = aws.apprunner("list-auto-scaling-configurations", "--next-token", "nonsense");
        assertThat(badToken.errorCode()).isEqualTo("InvalidRequestException");
    }

    @Test
    void requestsWithoutAValidSignatureAreRefusedWithoutRevealingTheSecret() throws Exception {
        AwsCli.Result wrongSecret = AwsCli.withKeys(api.port(), credentials.accessKeyId(), "not-the-secret").apprunner("list-services");
        assertThat(wrongSecret.errorCode()).isEqualTo("InvalidSignatureException");

        AwsCli.Result unknownKey = AwsCli.withKeys(api.port(), "AKIAUNKNOWNKEY000000", credentials.secretAccessKey()).apprunner("list-services");
        assertThat(unknownKey.errorCode()).isEqualTo("UnrecognizedClientException");

        AwsCli.Result unsigned = aws.apprunner("list-services", "--no-sign-request");
        assertThat(unsigned.errorCode()).isEqualTo("MissingAuthenticationTokenException");

        for (AwsCli.Result r : new AwsCli.Result[] {wrongSecret, unknownKey, unsigned}) {
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stderr()).doesNotContain(credentials.secretAccessKey());
        }
    }

    @Test
    void aSignatureOlderThanFifteenMinutesHasExpired() throws Exception {
        try (ApiServer later = ApiServer.start(slipway, credentials, "127.0.0.1", 0,
                Clock.offset(Clock.systemUTC(), Duration.ofMinutes(16)))) {
            AwsCli.Result r = AwsCli.withCredentialsFile(later.port(), credentials.file().orElseThrow()).apprunner("list-services");
            assertThat(r.errorCode()).isEqualTo("InvalidSignatureException");
            assertThat(r.stderr()).contains("Signature expired");
        }
        try (ApiServer current = ApiServer.start(slipway, credentials, "127.0.0.1", 0,
                Clock.offset(Clock.systemUTC(), Duration.ofMinutes(14)))) {
            assertThat(AwsCli.withCredentialsFile(current.port(), credentials.file().orElseThrow()).apprunner("list-services").exitCode()).isZero();
        }
    }

    @Test
    void malformedRequestsGetProtocolErrors() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(404);
        assertThat(get.body()).contains("\"__type\":\"UnknownOperationException\"");

        HttpResponse<String> unsigned = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/"))
                .header("X-Amz-Target", "AppRunner.ListServices").header("Content-Type", "application/x-amz-json-1.0")
                .POST(HttpRequest.BodyPublishers.ofString("{")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(400);
        assertThat(unsigned.headers().firstValue("x-amzn-ErrorType")).contains("MissingAuthenticationTokenException");

        ApiClient signed = new ApiClient(URI.create("http://127.0.0.1:" + api.port() + "/"), credentials, "us-east-1");
        HttpResponse<String> unknownAction = signed.post("AppRunner.LaunchRocket", "{}");
        assertThat(unknownAction.statusCode()).isEqualTo(400);
        assertThat(unknownAction.body()).contains("UnknownOperationException").contains("LaunchRocket");
        HttpResponse<String> badJson = signed.post("AppRunner.ListServices", "{not json");
        assertThat(badJson.statusCode()).isEqualTo(400);
        assertThat(badJson.body()).contains("SerializationException");
        HttpResponse<String> unknownMember = signed.post("AppRunner.UpdateService",
                "{\"ServiceArn\":\"arn:aws:apprunner:us-east-1:000000000000:service/a/b\",\"ServiceName\":\"renamed\"}");
        assertThat(unknownMember.statusCode()).isEqualTo(400);
        assertThat(unknownMember.body()).contains("InvalidRequestException").contains("Unknown member 'serviceName'");
        HttpResponse<String> fine = signed.post("AppRunner.ListServices", "{}");
        assertThat(fine.statusCode()).isEqualTo(200);
        assertThat(fine.headers().firstValue("Content-Type")).contains("application/x-amz-json-1.0");
    }
}
