package dev.slipway.core.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit trail's files: append-only lines, rotated by size with a bounded number kept, 0600; and its redactions. */
class AuditTrailTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void recordsAreLinesRotatedBySizeReadBackOldestFirstAndOnlyTheNewestFilesKept() throws Exception {
        AuditTrail trail = AuditTrail.open(dir.resolve("audit"), 1000, 3);
        IntStream.range(0, 100).forEach(i -> trail.append(JSON.createObjectNode().put("n", i).put("pad", "x".repeat(80))));
        List<String> lines = AuditTrail.lines(dir.resolve("audit"));
        // four files of at most 1000 bytes hold the newest records, in order, each whole
        assertThat(lines).isNotEmpty().hasSizeLessThan(100);
        List<Integer> ns = lines.stream().map(l -> read(l).path("n").asInt()).toList();
        assertThat(ns).isSorted().endsWith(99);
        assertThat(ns.get(ns.size() - 1) - ns.get(0)).isEqualTo(ns.size() - 1);
        try (var files = Files.list(dir.resolve("audit"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("audit.log", "audit.log.1", "audit.log.2", "audit.log.3");
        }
        assertThat(Files.size(dir.resolve("audit/audit.log"))).isLessThanOrEqualTo(1000);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("audit/audit.log")))).isEqualTo("rw-------");
        assertThat(AuditTrail.lines(dir.resolve("nowhere"))).isEmpty();
    }

    @Test
    void redactionHidesCommandsVariablesSecretsAndTokensAtAnyDepthAndSpellsNamesAsCloudTrail() throws Exception {
        JsonNode request = read("""
                {"ServiceName":"app","SourceConfiguration":{"ImageRepository":{"ImageConfiguration":{"StartCommand":"run --key=abc",
                 "RuntimeEnvironmentVariables":{"A":"1"},"RuntimeEnvironmentSecrets":{"B":"arn"},"Port":"8080"}}},
                 "EnableWWWSubdomain":true,"DNSTarget":"x","VpcDNSTargets":[{"VpcId":"v"}],"Tags":[{"Key":"k","Value":null}],
                 "Token":"ghp_x","SshPrivateKey":"-----BEGIN","Secret":"s"}""");
        JsonNode r = AuditTrail.redacted(request);
        assertThat(r.path("serviceName").asText()).isEqualTo("app");
        JsonNode image = r.at("/sourceConfiguration/imageRepository/imageConfiguration");
        assertThat(image.path("startCommand").asText()).isEqualTo(AuditTrail.HIDDEN);
        assertThat(image.path("runtimeEnvironmentVariables").asText()).isEqualTo(AuditTrail.HIDDEN);
        assertThat(image.path("runtimeEnvironmentSecrets").asText()).isEqualTo(AuditTrail.HIDDEN);
        assertThat(image.path("port").asText()).isEqualTo("8080");
        assertThat(r.path("enableWWWSubdomain").asBoolean()).isTrue();
        assertThat(r.path("dnsTarget").asText()).isEqualTo("x");
        assertThat(r.at("/vpcDNSTargets/0/vpcId").asText()).isEqualTo("v");
        assertThat(r.at("/tags/0/value").isNull()).isTrue();
        for (String hidden : List.of("token", "sshPrivateKey", "secret")) {
            assertThat(r.path(hidden).asText()).isEqualTo(AuditTrail.HIDDEN);
        }
        assertThat(r.toString()).doesNotContain("abc", "ghp_x", "BEGIN");
        assertThat(AuditTrail.redacted(null)).isNull();
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

}
