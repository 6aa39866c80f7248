package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.core.Slipway;
import dev.slipway.core.testing.RawHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed input on the API port, through real sockets: always an AWS-style error (never a 500), and a connection
 * that cannot be trusted any more is closed, so it swallows no later request.
 */
class ApiServerInputTest {
    private static final ApiCredentials KEYS = new ApiCredentials("AKIDSLIPWAYTEST", "test-secret-key", Optional.empty());

    @TempDir
    static Path tmp;

    private static Slipway slipway;
    private static ApiServer api;

    @BeforeAll
    static void start() {
        slipway = Slipway.builder().backend("fake").routerPort(-1).stateDir(tmp.resolve("state")).build();
        api = ApiServer.start(slipway, KEYS, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        api.close();
        slipway.close();
    }

    @Test
    void oddHostHeadersAndBadQueriesAreAnsweredAsClientErrors() throws IOException {
        for (String host : List.of("a b", "[", "%zz", "")) {
            String reply = exchange("POST / HTTP/1.1\r\nHost: " + host + "\r\n" + forgedAuthorization() + "Content-Length: 2\r\n\r\n{}");
            assertThat(reply).as(host).matches("(?s)HTTP/1.1 (400|403) .*").contains("\"__type\"").doesNotContain("InternalServiceError");
        }
        String query = exchange("POST /?x=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + forgedAuthorization() + "Content-Length: 2\r\n\r\n{}");
        assertThat(query).startsWith("HTTP/1.1 400 ").contains("percent-encode");
    }

    @Test
    void oversizedHeadersABareCrAndOversizedBodiesGetAnErrorAndAClosedConnection() throws IOException {
        String big = exchange("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "x".repeat(9000) + "\r\n\r\n"
                + "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(big).startsWith("HTTP/1.1 431 ").contains("\"__type\"");
        assertThat(big.split("HTTP/1.1 ", -1)).as("one answer, then closed").hasSize(2);

        String cr = exchange("POST / HTTP/1.1\r\nHost: 127.0.0.1\rX-Smuggled: 1\r\nContent-Length: 0\r\n\r\n");
        assertThat(cr).startsWith("HTTP/1.1 400 ").contains("\"__type\"");

        String huge = exchange("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5000000\r\n\r\n{");
        assertThat(huge).startsWith("HTTP/1.1 413 ").contains("\"__type\":\"SerializationException\"").contains("larger than");
    }

    @Test
    void trailingDataAfterTheJsonBodyIsRefused() throws Exception {
        URI endpoint = URI.create("http://127.0.0.1:" + api.port() + "/");
        byte[] body = "{} xyz".getBytes(StandardCharsets.UTF_8);
        Map<String, String> signed = TestSigner.sign(KEYS, "us-east-1", endpoint, Map.of("X-Amz-Target", "AppRunner.ListServices"), body);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        signed.forEach((name, value) -> {
            if (!name.equals("host") && !name.equals("content-length")) {
                request.header(name, value);
            }
        });
        HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("SerializationException");
    }

    @Test
    void callsPastAnAccessKeysRateAreThrottledAndRecorded() throws Exception {
        ApiServer limited = ApiServer.start(slipway, KEYS, "127.0.0.1", 0, new ApiThrottle(0.5, 2));
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + limited.port() + "/");
            List<Integer> statuses = new java.util.ArrayList<>();
            List<String> bodies = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                Map<String, String> signed = TestSigner.sign(KEYS, "us-east-1", endpoint, Map.of("X-Amz-Target", "AppRunner.ListServices"), body);
                HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                signed.forEach((name, value) -> {
                    if (!name.equals("host") && !name.equals("content-length")) {
                        request.header(name, value);
                    }
                });
                HttpResponse<String> r = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
                statuses.add(r.statusCode());
                bodies.add(r.body());
            }
            assertThat(statuses).as("a burst of 2, then one call every 2 s").containsExactly(200, 200, 400, 400);
            assertThat(bodies.get(3)).contains("\"__type\":\"ThrottlingException\"").contains("Rate exceeded");
            List<String> audit = dev.slipway.core.observe.JsonLinesFile.lines(slipway.stateDir().resolve("audit"), "audit.log");
            assertThat(audit.stream().filter(l -> l.contains("\"errorCode\":\"ThrottlingException\"")).count())
                    .as("each throttled call is in the audit trail").isEqualTo(2);
        } finally {
            limited.close();
        }
    }

    /** Connection: close, and an Authorization for the known key with a signature that is well-formed but wrong: verification runs to the end. */
    private static String forgedAuthorization() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        return "Connection: close\r\nX-Amz-Date: " + now.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")) + "\r\n"
                + "X-Amz-Target: AppRunner.ListServices\r\n"
                + "Authorization: AWS4-HMAC-SHA256 Credential=" + KEYS.accessKeyId() + "/" + now.format(DateTimeFormatter.BASIC_ISO_DATE).substring(0, 8)
                + "/us-east-1/apprunner/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64) + "\r\n";
    }

    private static String exchange(String request) throws IOException {
        return RawHttp.exchange(api.port(), request, 5000);
    }
}
