package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real, unmodified {@code aws} command against a Slipway API server. */
final class AwsCli {
    /** What one command printed, and how it exited. */
    record Result(int exitCode, String stdout, String stderr) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + stdout + "\n" + stderr, e);
            }
        }

        /** The error code of an "An error occurred (Code) when calling ..." line. */
        String errorCode() {
            int start = stderr.indexOf("An error occurred (");
            return start < 0 ? "" : stderr.substring(start + 19, stderr.indexOf(')', start));
        }
    }

    private final String endpoint;
    private final Map<String, String> env;

    AwsCli(int apiPort, Map<String, String> env) {
        this.endpoint = "http://127.0.0.1:" + apiPort;
        this.env = env;
    }

    /** An AWS CLI using the credentials file the server wrote, as the README tells users to. */
    static AwsCli withCredentialsFile(int apiPort, Path credentials) {
        return new AwsCli(apiPort, Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString(), "AWS_PROFILE", "slipway"));
    }

    /** An AWS CLI using explicit keys. */
    static AwsCli withKeys(int apiPort, String keyId, String secret) {
        return new AwsCli(apiPort, Map.of("AWS_ACCESS_KEY_ID", keyId, "AWS_SECRET_ACCESS_KEY", secret));
    }

    /** Runs {@code aws apprunner <args>}, asserts it succeeded, and returns its JSON output. */
    JsonNode ok(String... args) throws IOException, InterruptedException {
        Result r = apprunner(args);
        assertThat(r.exitCode()).as("aws failed: " + r.stderr()).isZero();
        return r.json();
    }

    /** Waits (at most two minutes) until DescribeService shows {@code status}. */
    void awaitStatus(String serviceArn, String status) {
        await().atMost(Duration.ofMinutes(2)).until(() ->
                ok("describe-service", "--service-arn", serviceArn).at("/Service/Status").asText().equals(status));
    }

    /** Waits (at most two minutes) until ListOperations shows operation {@code id} of the service with {@code status}. */
    void awaitOperation(String serviceArn, String id, String status) {
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            for (JsonNode op : ok("list-operations", "--service-arn", serviceArn).get("OperationSummaryList")) {
                if (op.get("Id").asText().equals(id)) {
                    return op.get("Status").asText().equals(status);
                }
            }
            return false;
        });
    }

    /** {@code aws apprunner <args> --endpoint-url ... --region us-east-1 --output json}. */
    Result apprunner(String... args) throws IOException, InterruptedException {
        return run("apprunner", args);
    }

    /** Runs {@code aws <service> <args>} against the server, asserts it succeeded, and returns its JSON output (empty: {}). */
    JsonNode json(String service, String... args) throws IOException, InterruptedException {
        Result r = run(service, args);
        assertThat(r.exitCode()).as("aws failed: " + r.stderr()).isZero();
        return r.stdout().isBlank() ? new ObjectMapper().createObjectNode() : r.json();
    }

    /** {@code aws <service> <args> --endpoint-url ... --region us-east-1 --output json}: the server's other services too. */
    Result run(String service, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("aws", service));
        command.addAll(List.of(args));
        command.addAll(List.of("--endpoint-url", endpoint, "--region", "us-east-1", "--output", "json"));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().put("AWS_CONFIG_FILE", "/dev/null"); // none of this machine's, unless the test gives one
        pb.environment().putAll(env);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().put("AWS_PAGER", "");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("aws " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
