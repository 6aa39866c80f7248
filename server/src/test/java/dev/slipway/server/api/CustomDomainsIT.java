package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.core.testing.Curl;
import dev.slipway.core.testing.TestApps;
import dev.slipway.server.SlipwayJar;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom domains through the unmodified AWS CLI against {@code slipway server --https-port}: associate, describe and
 * disassociate as the guide's examples show them, HTTPS by the custom name verified against the local CA's root by
 * the real curl, the model's errors for bad input, and domains (with their certificates) surviving a restart.
 */
class CustomDomainsIT {
    private static final Pattern LISTENING = Pattern.compile("Slipway API listening on http://127\\.0\\.0\\.1:(\\d+) .*router on "
            + "127\\.0\\.0\\.1:(\\d+); HTTPS on 127\\.0\\.0\\.1:(\\d+) \\(trust (.+)\\)");

    @TempDir
    Path tmp;

    @Test
    void aDomainAssociatedWithTheAwsCliIsServedOverHttpsAndSurvivesARestart() throws Exception {
        Path state = tmp.resolve("state");
        Path app = tmp.resolve("app");
        TestApps.writePythonGreeter(app, "Hello", "Jane");
        String arn;
        try (SlipwayJar server = start(state)) {
            Matcher m = server.awaitLine(LISTENING, Duration.ofMinutes(1));
            int https = Integer.parseInt(m.group(3));
            Path ca = Path.of(m.group(4));
            assertThat(ca).isEqualTo(state.resolve("local-ca.pem"));
            AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(m.group(1)), state.resolve("credentials"));
            arn = aws.ok("create-service", "--service-name", "storefront", "--source-configuration",
                    "{\"CodeRepository\":{\"RepositoryUrl\":\"" + app.toUri() + "\",\"SourceCodeVersion\":{\"Type\":\"BRANCH\",\"Value\":\"main\"}}}")
                    .at("/Service/ServiceArn").asText();
            aws.awaitStatus(arn, "RUNNING");
            String url = aws.ok("describe-service", "--service-arn", arn).at("/Service/ServiceUrl").asText();
            assertThat(url).as("the service URL is the HTTPS address").endsWith(":" + https);
            Curl.Result own = Curl.https(url.replaceAll(":\\d+$", ""), https, "/", ca);
            assertThat(own.exitCode()).as(own.stderr()).isZero();
            assertThat(own.body()).isEqualTo("Hello, Jane!");

            JsonNode associated = aws.ok("associate-custom-domain", "--service-arn", arn, "--domain-name", "example.com",
                    "--enable-www-subdomain");
            assertThat(associated.at("/CustomDomain/Status").asText()).isEqualTo("CREATING");
            assertThat(associated.at("/CustomDomain/EnableWWWSubdomain").asBoolean()).isTrue();
            assertThat(associated.at("/DNSTarget").asText()).isEqualTo(url.replaceAll(":\\d+$", ""));
            assertThat(associated.at("/VpcDNSTargets").isArray()).isTrue();
            awaitActive(aws, arn, "example.com");
            for (String name : new String[] {"example.com", "www.example.com"}) {
                for (String version : new String[] {"--http2", "--http1.1"}) {
                    Curl.Result r = Curl.https(name, https, "/", ca, version);
                    assertThat(r.exitCode()).as(name + " " + version + ": " + r.stderr()).isZero();
                    assertThat(r.httpVersion()).isEqualTo(version.equals("--http2") ? "HTTP/2" : "HTTP/1.1");
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("X-Seen-Proto")).isEqualTo("https");
                }
            }

            // renewed on demand: new connections get a new certificate
            java.math.BigInteger before = dev.slipway.core.testing.TlsProbe.served(https, "example.com").getSerialNumber();
            SlipwayJar renew = SlipwayJar.run("domain", "renew", "--service-arn", arn, "--domain-name", "example.com",
                    "--endpoint-url", "http://127.0.0.1:" + m.group(1), "--state-dir", state.toString());
            assertThat(renew.process().exitValue()).as(String.join("\n", renew.output())).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> !dev.slipway.core.testing.TlsProbe.served(https, "example.com").getSerialNumber().equals(before));
            assertThat(Curl.https("example.com", https, "/", ca).exitCode()).isZero();
            SlipwayJar unknownRenew = SlipwayJar.run("domain", "renew", "--service-arn", arn, "--domain-name", "example.net",
                    "--endpoint-url", "http://127.0.0.1:" + m.group(1), "--state-dir", state.toString());
            assertThat(unknownRenew.process().exitValue()).isEqualTo(2);
            assertThat(unknownRenew.output()).anyMatch(l -> l.contains("ResourceNotFoundException") && l.contains("example.net"));

            AwsCli.Result bad = aws.apprunner("associate-custom-domain", "--service-arn", arn, "--domain-name", "*.login.example.com");
            assertThat(bad.errorCode()).isEqualTo("InvalidRequestException");
            assertThat(bad.stderr()).contains("domainName", "immediate subdomain of a root domain");
            AwsCli.Result unknown = aws.apprunner("disassociate-custom-domain", "--service-arn", arn, "--domain-name", "example.org");
            assertThat(unknown.errorCode()).isEqualTo("ResourceNotFoundException");
            AwsCli.Result tooMany = aws.apprunner("describe-custom-domains", "--service-arn", arn, "--max-results", "6");
            assertThat(tooMany.exitCode()).as("the CLI checks MaxResults itself, as it does the model's ranges").isNotZero();
            assertThat(aws.ok("describe-custom-domains", "--service-arn", arn).get("CustomDomains")).hasSize(1);
            server.sigterm();
            server.awaitExit(Duration.ofMinutes(1));
        }

        try (SlipwayJar again = start(state)) {
            Matcher m = again.awaitLine(LISTENING, Duration.ofMinutes(1));
            int https = Integer.parseInt(m.group(3));
            AwsCli aws = AwsCli.withCredentialsFile(Integer.parseInt(m.group(1)), state.resolve("credentials"));
            aws.awaitStatus(arn, "RUNNING");
            JsonNode domains = aws.ok("describe-custom-domains", "--service-arn", arn).get("CustomDomains");
            assertThat(domains).hasSize(1);
            assertThat(domains.get(0).get("Status").asText()).as("kept, with its certificate").isEqualTo("ACTIVE");
            await().atMost(Duration.ofMinutes(1)).until(() -> Curl.https("www.example.com", https, "/", state.resolve("local-ca.pem")).status() == 200);

            JsonNode gone = aws.ok("disassociate-custom-domain", "--service-arn", arn, "--domain-name", "example.com");
            assertThat(gone.at("/CustomDomain/Status").asText()).isEqualTo("DELETING");
            assertThat(Curl.https("example.com", https, "/", null).status()).as("the router's 404").isEqualTo(404);
            assertThat(aws.ok("describe-custom-domains", "--service-arn", arn).get("CustomDomains")).isEmpty();
        }
    }

    private SlipwayJar start(Path state) {
        return SlipwayJar.start("server", "--state-dir", state.toString(), "--api-port", "0", "--router-port", "0",
                "--https-port", "0", "--allow-source-dir", tmp.toString());
    }

    private static void awaitActive(AwsCli aws, String arn, String domain) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode d : aws.ok("describe-custom-domains", "--service-arn", arn).get("CustomDomains")) {
                if (d.get("DomainName").asText().equals(domain)) {
                    return d.get("Status").asText().equals("ACTIVE");
                }
            }
            return false;
        });
    }
}
