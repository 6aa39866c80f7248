package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.testing.HttpProbe;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A secret reaches the app and no log: not the server's, not a deployment's, not events, not when a request is refused. */
class SecretsIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*router on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private SlipwayJar server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void secretsReachTheAppAndNoLogNorTheStateDirectoryEvenWhenARequestCarryingOneIsRefused() throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID();
        Path state = tmp.resolve("state");
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "nobody");
        server = SlipwayJar.start("server", "--state-dir", state.toString(), "--api-port", "0", "--router-port", "0",
                "--allow-source-dir", tmp.toString(), "--master-key-file", tmp.resolve("master.key").toString());
        Matcher ports = server.awaitLine(LISTENING, Duration.ofMinutes(1));
        AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(ports.group(1)), state.resolve("credentials"));

        String arn = aws.ok("create-service", "--cli-input-json", request("kept-secret", "\"RuntimeEnvironmentSecrets\":{\"NAME\":\"" + secret + "\"}"))
                .at("/Service/ServiceArn").asText();
        aws.awaitStatus(arn, "RUNNING");
        String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
        assertThat(new HttpProbe(Integer.parseInt(ports.group(2))).get(url).body()).isEqualTo("Hello, " + secret + "!");

        for (String refused : List.of("\"RuntimeEnvironmentSecrets\":{\"TOKEN\":\"x\\u0000" + secret + "\"}",
                "\"RuntimeEnvironmentVariables\":{\"TOKEN=" + secret + "\":\"v\"}",
                "\"RuntimeEnvironmentVariables\":{\"TO\\u0000" + secret + "\":\"v\"}")) {
            AwsCli.Result r = aws.apprunner("create-service", "--cli-input-json", request("refused", refused));
            assertThat(r.errorCode()).as(r.stderr()).isEqualTo("InvalidRequestException");
            assertThat(r.stderr()).contains("codeConfigurationValues.runtimeEnvironment").doesNotContain(secret);
        }
        assertThat(aws.ok("list-services").findValuesAsText("ServiceName")).containsExactly("kept-secret");
        aws.ok("start-deployment", "--service-arn", arn);
        aws.awaitStatus(arn, "RUNNING");

        server.sigterm();
        server.awaitExit(Duration.ofMinutes(1));
        assertThat(server.output()).isNotEmpty().noneMatch(l -> l.contains(secret));
        List<Path> logs;
        try (Stream<Path> files = Files.walk(state.resolve("logs"))) {
            logs = files.filter(Files::isRegularFile).toList();
        }
        assertThat(logs).as("deployment, events and instance logs").hasSizeGreaterThanOrEqualTo(4);
        for (Path log : logs) {
            assertThat(read(log)).as(log.toString()).doesNotContain(secret);
        }
        List<Path> everything; // the state database (encrypted values), keys, events, audit trail ...
        try (Stream<Path> files = Files.walk(state)) {
            everything = files.filter(Files::isRegularFile).toList();
        }
        assertThat(everything).anyMatch(p -> p.getFileName().toString().startsWith("state.db"));
        SlipwayJar rotated = SlipwayJar.run("keys", "rotate", "--state-dir", state.toString(), "--master-key-file",
                tmp.resolve("master.key").toString());
        assertThat(rotated.process().exitValue()).as(String.join("\n", rotated.output())).isZero();
        assertThat(rotated.output()).anyMatch(l -> l.contains("has 2 keys now"));
        Files.write(tmp.resolve("wrong.key"), new byte[32]);
        SlipwayJar wrong = SlipwayJar.run("keys", "rotate", "--state-dir", state.toString(), "--master-key-file",
                tmp.resolve("wrong.key").toString());
        assertThat(wrong.process().exitValue()).isEqualTo(2);
        assertThat(String.join("\n", wrong.output())).contains("not the master key this state was encrypted with");
        for (Path file : everything) {
            assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString())
                    .doesNotContain(secret);
        }
    }

    private String request(String name, String variables) {
        return "{\"ServiceName\":\"" + name + "\",\"SourceConfiguration\":{\"CodeRepository\":{\"RepositoryUrl\":\""
                + tmp.resolve("app").toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"},"
                + "\"CodeConfiguration\":{\"ConfigurationSource\":\"API\",\"CodeConfigurationValues\":{\"Runtime\":\"PYTHON_3\","
                + "\"BuildCommand\":\"python -m py_compile server.py\",\"StartCommand\":\"python server.py\"," + variables + "}}}}}";
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
