package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.Pebble;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guide's custom-domain flow with a real ACME server, through the unmodified AWS CLI against
 * {@code slipway server --acme-directory ... --acme-dns-zone ...}: associate-custom-domain answers the CNAME validation
 * records, the domain waits in PENDING_CERTIFICATE_DNS_VALIDATION until they are created at the domain's DNS
 * (challtestsrv), then is ACTIVE, and curl trusting only Pebble's root gets the service by the domain and its www name.
 */
class AcmeIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*HTTPS on 127\\.0\\.0\\.1:(\\d+)");
    private static final String ZONE = "acme.slipway.test";

    @TempDir
    Path tmp;

    @Test
    void dns01ValidationRecordsFromTheAwsCliMakeTheDomainActive() throws Exception {
        int routerPort = freePort();
        int dnsPort = freePort();
        Path state = tmp.resolve("state");
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        try (Pebble pebble = Pebble.start(tmp.resolve("pebble"), routerPort, ZONE, dnsPort);
             SlipwayJar server = SlipwayJar.start("server", "--state-dir", state.toString(), "--api-port", "0",
                     "--router-port", String.valueOf(routerPort), "--https-port", "0", "--allow-source-dir", tmp.toString(),
                     "--acme-directory", pebble.directory(), "--acme-ca-bundle", pebble.directoryTrust().toString(),
                     "--acme-email", "ops@example.com", "--acme-dns-zone", ZONE, "--acme-dns-bind", "127.0.0.1:" + dnsPort,
                     "--acme-dns-resolver", pebble.resolver())) {
            Matcher m = server.awaitLine(LISTENING, Duration.ofMinutes(1));
            int https = Integer.parseInt(m.group(2));
            assertThat(server.output()).anyMatch(l -> l.contains("ACME validation zone " + ZONE));
            AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(m.group(1)), state.resolve("credentials"));
            String arn = aws.ok("create-service", "--service-name", "storefront", "--source-configuration",
                    "{\"CodeRepository\":{\"RepositoryUrl\":\"" + app.toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}")
                    .at("/Service/ServiceArn").asText();
            aws.awaitStatus(arn, "RUNNING");

            aws.ok("associate-custom-domain", "--service-arn", arn, "--domain-name", "example.com");
            JsonNode pending = await().atMost(Duration.ofSeconds(30)).until(() -> domain(aws, arn),
                    d -> d.get("Status").asText().equals("PENDING_CERTIFICATE_DNS_VALIDATION"));
            JsonNode records = pending.get("CertificateValidationRecords");
            assertThat(records).hasSize(2);
            for (JsonNode record : records) {
                assertThat(record.get("Type").asText()).isEqualTo("CNAME");
                assertThat(record.get("Status").asText()).isEqualTo("PENDING_VALIDATION");
                pebble.addCname(record.get("Name").asText(), record.get("Value").asText());
            }
            await().atMost(Duration.ofMinutes(1)).until(() -> domain(aws, arn).get("Status").asText().equals("ACTIVE"));
            assertThat(domain(aws, arn).get("CertificateValidationRecords")).allMatch(r -> r.get("Status").asText().equals("SUCCESS"));

            Path root = pebble.root();
            for (String name : new String[] {"example.com", "www.example.com"}) {
                for (String version : new String[] {"--http2", "--http1.1"}) {
                    Curl.Result r = Curl.https(name, https, "/", root, version);
                    assertThat(r.exitCode()).as(name + " " + version + ": " + r.stderr()).isZero();
                    assertThat(r.body()).isEqualTo("Hello, Jane!");
                }
            }
        }
    }

    private static JsonNode domain(AwsCli aws, String arn) throws Exception {
        return aws.ok("describe-custom-domains", "--service-arn", arn).get("CustomDomains").get(0);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
