package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.Slipway;
import dev.slipway.core.crypto.KeyRing;
import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets by reference, with the unmodified AWS CLI: a secret made with {@code aws secretsmanager create-secret} and a
 * parameter with {@code aws ssm put-parameter} on the API port, referenced by ARN from RuntimeEnvironmentSecrets and
 * from apprunner.yaml {@code run.secrets}, reach the apps' environment; the value is nowhere in the state directory
 * (database, audit trail, events, logs) nor in the service's configuration; a new version reaches the app at the next
 * deployment; a reference to nothing fails the deployment saying which; each service's errors in its own words.
 */
class SecretsByReferenceIT {
    private static final String MARKER = "pw-" + UUID.randomUUID();
    private static final String ROTATED = "pw2-" + UUID.randomUUID();

    @TempDir
    Path tmp;

    @Test
    void servicesReadSecretsAndParametersByArnAndTheirValuesAreKeptNowhereElse() throws Exception {
        Path state = tmp.resolve("state");
        ApiCredentials credentials = ApiCredentials.load(Map.of(), state);
        TestApps.writePythonGreeter(tmp.resolve("api-app"), "Hello", "unused");
        try (Slipway slipway = Slipway.builder().routerPort(0).stateDir(state).durableState(true).allowedSourceDirectories(List.of(tmp))
                .keyRing(KeyRing.open(state.resolve("keys"), Map.of(), tmp.resolve("master.key"))).build()) {
            ApiServer api = ApiServer.start(slipway, credentials, "127.0.0.1", 0);
            try {
                AwsCli aws = AwsCli.withCredentialsFile(api.port(), credentials.file().orElseThrow());
                JsonNode secret = aws.json("secretsmanager", "create-secret", "--name", "db-password", "--secret-string", MARKER);
                String secretArn = secret.get("ARN").asText();
                assertThat(secretArn).matches("arn:aws:secretsmanager:us-east-1:000000000000:secret:db-password-[A-Za-z]{6}");
                assertThat(aws.run("secretsmanager", "create-secret", "--name", "db-password", "--secret-string", "x").errorCode())
                        .isEqualTo("ResourceExistsException");
                aws.json("ssm", "put-parameter", "--name", "/app/name", "--value", "Parameter", "--type", "SecureString");
                assertThat(aws.run("ssm", "get-parameter", "--name", "/app/nothing").errorCode()).isEqualTo("ParameterNotFound");
                assertThat(aws.run("secretsmanager", "get-secret-value", "--secret-id", "nothing").errorCode())
                        .isEqualTo("ResourceNotFoundException");
                assertThat(aws.json("secretsmanager", "get-secret-value", "--secret-id", "db-password").get("SecretString").asText())
                        .isEqualTo(MARKER);
                assertThat(aws.json("secretsmanager", "list-secrets").get("SecretList")).extracting(n -> n.get("Name").asText())
                        .containsExactly("db-password");

                // by RuntimeEnvironmentSecrets (ConfigurationSource API), and by apprunner.yaml run.secrets
                JsonNode apiService = aws.ok("create-service", "--cli-input-json", request("by-api", tmp.resolve("api-app"),
                        "\"RuntimeEnvironmentSecrets\":{\"NAME\":\"" + secretArn + "\"}")).get("Service");
                Path yamlApp = tmp.resolve("yaml-app");
                TestApps.writePythonGreeter(yamlApp, "Howdy", "unused");
                Files.writeString(yamlApp.resolve("apprunner.yaml"), TestApps.pythonGreeterConfig("unused").replace("""
                          env:
                            - name: NAME
                              value: "unused"
                        """, """
                          secrets:
                            - name: NAME
                              value-from: "arn:aws:ssm:us-east-1:000000000000:parameter/app/name"
                        """));
                JsonNode yamlService = aws.ok("create-service", "--service-name", "by-yaml", "--source-configuration",
                        "{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":{\"RepositoryUrl\":\"" + yamlApp
                                + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},\"CodeConfiguration\":"
                                + "{\"ConfigurationSource\":\"REPOSITORY\"}}}").get("Service");
                aws.awaitStatus(apiService.get("ServiceArn").asText(), "RUNNING");
                aws.awaitStatus(yamlService.get("ServiceArn").asText(), "RUNNING");
                HttpProbe http = new HttpProbe(slipway.routerPort().orElseThrow());
                assertThat(http.get(apiService.get("ServiceUrl").asText()).body()).isEqualTo("Hello, " + MARKER + "!");
                assertThat(http.get(yamlService.get("ServiceUrl").asText()).body()).isEqualTo("Howdy, Parameter!");
                assertThat(aws.ok("describe-service", "--service-arn", apiService.get("ServiceArn").asText()).toString())
                        .as("the configuration holds the reference, not the value").contains(secretArn).doesNotContain(MARKER);

                // a new version reaches the app at the next deployment, not before
                aws.json("secretsmanager", "put-secret-value", "--secret-id", secretArn, "--secret-string", ROTATED);
                String serviceArn = apiService.get("ServiceArn").asText();
                String deployment = aws.ok("start-deployment", "--service-arn", serviceArn).get("OperationId").asText();
                aws.awaitOperation(serviceArn, deployment, "SUCCEEDED");
                assertThat(http.get(apiService.get("ServiceUrl").asText()).body()).isEqualTo("Hello, " + ROTATED + "!");

                // a reference to nothing fails the deployment, saying which
                JsonNode broken = aws.ok("create-service", "--cli-input-json", request("by-nothing", tmp.resolve("api-app"),
                        "\"RuntimeEnvironmentSecrets\":{\"NAME\":\"arn:aws:secretsmanager:us-east-1:000000000000:secret:gone-AbCdEf\"}"))
                        .get("Service");
                aws.awaitStatus(broken.get("ServiceArn").asText(), "CREATE_FAILED");
                assertThat(String.join("\n", slipway.logLines("by-nothing", "deployment/" + aws.ok("list-operations", "--service-arn",
                        broken.get("ServiceArn").asText()).at("/OperationSummaryList/0/Id").asText())))
                        .contains("can't find the specified secret: arn:aws:secretsmanager:us-east-1:000000000000:secret:gone-AbCdEf");
            } finally {
                api.close();
            }
        }
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(text).as(f.toString()).doesNotContain(MARKER).doesNotContain(ROTATED).doesNotContain("Parameter!");
            }
        }
    }

    private static String request(String name, Path app, String secrets) {
        return "{\"ServiceName\":\"" + name + "\",\"SourceConfiguration\":{\"AutoDeploymentsEnabled\":false,\"CodeRepository\":"
                + "{\"RepositoryUrl\":\"" + app + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},"
                + "\"CodeConfiguration\":{\"ConfigurationSource\":\"API\",\"CodeConfigurationValues\":{\"Runtime\":\"PYTHON_3\","
                + "\"BuildCommand\":\"python -m py_compile server.py\",\"StartCommand\":\"python server.py\"," + secrets + "}}}}}";
    }
}
