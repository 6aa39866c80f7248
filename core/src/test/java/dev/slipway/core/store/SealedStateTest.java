package dev.slipway.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.core.Slipway;
import dev.slipway.core.api.CreateServiceRequest;
import dev.slipway.core.api.DescribeServiceRequest;
import dev.slipway.core.crypto.KeyRing;
import dev.slipway.core.model.CodeConfiguration;
import dev.slipway.core.model.CodeConfigurationValues;
import dev.slipway.core.model.CodeRepository;
import dev.slipway.core.model.SourceCodeVersion;
import dev.slipway.core.model.SourceConfiguration;
import dev.slipway.core.testing.TestApps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest of the state: a service's secret value is nowhere in the state directory as plain text (the
 * database and its write-ahead log included), is read back after a restart with the same master key, still after
 * the key was rotated, and a wrong master key stops the start with a clear message, never garbage.
 */
class SealedStateTest {
    private static final String MARKER = "marker-" + java.util.UUID.randomUUID();

    @TempDir
    Path tmp;

    private Slipway open(KeyRing keys) {
        return Slipway.builder().backend("fake").routerPort(-1).stateDir(tmp.resolve("state")).durableState(true)
                .autoscaling(false).pollInterval(Duration.ZERO).keyRing(keys).build();
    }

    private KeyRing keys(Path masterKey) {
        return KeyRing.open(tmp.resolve("state").resolve("keys"), Map.of(), masterKey);
    }

    @Test
    void secretsAreSealedReadBackAfterARestartAndARotationAndAWrongKeySaysSo() throws Exception {
        Path master = tmp.resolve("master.key"); // outside the state directory, as slipway server keeps it
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        String arn;
        try (Slipway s = open(keys(master))) {
            CodeConfigurationValues values = new CodeConfigurationValues(dev.slipway.core.model.Runtime.PYTHON_3, null,
                    "python server.py", "8080", Map.of("PLAIN", "visible"), Map.of("API_KEY", MARKER));
            var created = s.createService(CreateServiceRequest.builder().serviceName("sealed").sourceConfiguration(
                    SourceConfiguration.of(new CodeRepository(tmp.resolve("app").toString(), SourceCodeVersion.branch("main"),
                            CodeConfiguration.fromApi(values), null))).build());
            created.operation().awaitSuccess(Duration.ofSeconds(30));
            arn = created.service().serviceArn();
        }
        assertNowhereInPlainText(tmp.resolve("state"));
        assertThat(stateText(tmp.resolve("state"))).as("the rest stays readable").contains("visible");

        KeyRing again = keys(master);
        try (Slipway s = open(again)) {
            assertThat(secret(s, arn)).isEqualTo(MARKER);
        }
        again.rotate(KeyRing.SLIPWAY);
        assertThat(again.keys(KeyRing.SLIPWAY)).isEqualTo(2);
        try (Slipway s = open(keys(master))) {
            assertThat(secret(s, arn)).as("what the old key sealed is read with the rotated keyset").isEqualTo(MARKER);
        }

        Path wrong = tmp.resolve("wrong.key");
        Files.write(wrong, new byte[32]);
        assertThatThrownBy(() -> keys(wrong).aead(KeyRing.SLIPWAY)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not open").hasMessageContaining("not the master key this state was encrypted with");
        assertThatThrownBy(() -> KeyRing.open(tmp.resolve("k"), Map.of(KeyRing.MASTER_KEY_VARIABLE, "c2hvcnQ="), master))
                .hasMessageContaining("must be 32 bytes");
        Path missing = tmp.resolve("no-such.key");
        assertThatThrownBy(() -> KeyRing.open(new StateKeysets(), Map.of(), missing, false))
                .as("where replicas share the keysets, none makes a master key of its own")
                .hasMessageContaining("no master key").hasMessageContaining("Every replica sharing this state needs the same one");
        assertThat(missing).doesNotExist();
    }

    /** A service with an EncryptionConfiguration has its log lines encrypted with its key; others' stay plain. */
    @Test
    void theLogsOfAServiceWithAKmsKeyAreEncryptedWithItsKey() throws Exception {
        TestApps.writePythonGreeter(tmp.resolve("app"), "Hello", "Jane");
        KeyRing keys = keys(tmp.resolve("master.key"));
        String kms = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        try (Slipway s = open(keys)) {
            for (String name : List.of("secured", "plain-logs")) {
                var request = CreateServiceRequest.builder().serviceName(name).sourceConfiguration(SourceConfiguration.of(
                        new CodeRepository(tmp.resolve("app").toString(), SourceCodeVersion.branch("main"), null, null)));
                if (name.equals("secured")) {
                    request.encryptionConfiguration(new dev.slipway.core.model.EncryptionConfiguration(kms));
                }
                s.createService(request.build()).operation().awaitSuccess(Duration.ofSeconds(30));
            }
            Path logs = tmp.resolve("state").resolve("logs");
            String deployment = s.listOperations(new dev.slipway.core.api.ListOperationsRequest(
                    s.listServices(new dev.slipway.core.api.ListServicesRequest(null, null)).serviceSummaryList().stream()
                            .filter(x -> x.serviceName().equals("secured")).findFirst().orElseThrow().serviceArn(), null, null))
                    .operationSummaryList().get(0).id();
            List<String> read = s.logLines("secured", "deployment/" + deployment);
            assertThat(read).isNotEmpty().anyMatch(l -> l.contains("Build succeeded"));
            List<String> raw = Files.readAllLines(logs.resolve("secured").resolve("deployment").resolve(deployment + ".log"));
            assertThat(raw).hasSameSizeAs(read).allSatisfy(l -> assertThat(l.substring(l.indexOf(' ') + 1)).startsWith("enc:v1:"));
            assertThat(String.join("\n", raw)).doesNotContain("Build succeeded");
            assertThat(Files.readString(logs.resolve("secured").resolve("encryption-key"))).isEqualTo(kms);
            try (Stream<Path> plain = Files.walk(logs.resolve("plain-logs"))) {
                assertThat(plain.filter(Files::isRegularFile).map(SealedStateTest::text)).anyMatch(t -> t.contains("Build succeeded"));
            }
            var withoutKey = new dev.slipway.core.observe.LogStreams(logs);
            assertThat(withoutKey.read("secured", "deployment/" + deployment))
                    .allSatisfy(l -> assertThat(l).startsWith("[encrypted with " + kms + ": give the master key"));
        }
    }

    private static String text(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String secret(Slipway s, String arn) {
        return s.describeService(new DescribeServiceRequest(arn)).service().sourceConfiguration().codeRepository()
                .codeConfiguration().codeConfigurationValues().runtimeEnvironmentSecrets().get("API_KEY");
    }

    private static void assertNowhereInPlainText(Path state) throws Exception {
        assertThat(stateText(state)).doesNotContain(MARKER);
    }

    private static String stateText(Path state) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(state)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}
