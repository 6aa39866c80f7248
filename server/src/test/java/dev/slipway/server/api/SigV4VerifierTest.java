package dev.slipway.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier against the AWS SigV4 test suite's vectors (src/test/resources/aws-sigv4-test-suite), and the rules
 * beyond the algorithm: what must be signed, and the region and service of the credential scope.
 */
class SigV4VerifierTest {
    private static final ApiCredentials SUITE = new ApiCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Optional.empty());
    private static final Clock SUITE_TIME = Clock.fixed(Instant.parse("2015-08-30T12:36:00Z"), ZoneOffset.UTC);
    private static final List<String> VECTORS = List.of("get-header-key-duplicate", "get-header-value-multiline",
            "get-header-value-order", "get-header-value-trim", "get-relative-normalized", "get-relative-relative-normalized",
            "get-slash-dot-slash-normalized", "get-slash-normalized", "get-slash-pointless-dot-normalized",
            "get-slashes-normalized", "get-unreserved", "get-utf8", "get-vanilla",
            "get-vanilla-empty-query-key", "get-vanilla-query", "get-vanilla-query-order-encoded",
            "get-vanilla-query-order-key-case", "get-vanilla-query-unreserved", "get-vanilla-utf8-query",
            "get-vanilla-with-session-token", "post-header-key-case", "post-header-key-sort", "post-header-value-case",
            "post-sts-header-after", "post-sts-header-before", "post-vanilla", "post-vanilla-empty-query-value",
            "post-vanilla-query", "post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters");

    private final SigV4Verifier suiteVerifier = new SigV4Verifier(() -> SUITE, SUITE_TIME, "us-east-1", "service", Set.of("host"));

    static Stream<String> vectors() {
        return VECTORS.stream();
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void everyVectorOfTheTestSuiteVerifies(String name) throws IOException {
        Raw r = Raw.read(name);
        assertThatCode(() -> suiteVerifier.verify(r.method, r.target, r.headers(), r.body)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void everyVectorFailsOnceItsSignedDateChanges(String name) throws IOException {
        Raw r = Raw.read(name);
        Map<String, String> headers = r.headers();
        headers.put("x-amz-date", "20150830T123601Z");
        assertThatThrownBy(() -> suiteVerifier.verify(r.method, r.target, headers, r.body))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidSignatureException"));
    }

    @Test
    void aSignatureThatDoesNotCoverTheActionIsRefused() {
        SigV4Verifier api = new SigV4Verifier(() -> SUITE, Clock.systemUTC(), "us-east-1");
        Map<String, String> signedWithoutTarget = sign("us-east-1", Map.of());
        signedWithoutTarget.put("x-amz-target", "AppRunner.DeleteService"); // changed after signing
        assertThatThrownBy(() -> api.verify("POST", "/", signedWithoutTarget, BODY))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo("IncompleteSignatureException");
                    assertThat(e.getMessage()).contains("host, x-amz-target and x-amz-date");
                });

        Map<String, String> signed = sign("us-east-1", Map.of("X-Amz-Target", "AppRunner.DescribeService"));
        assertThatCode(() -> api.verify("POST", "/", signed, BODY)).doesNotThrowAnyException();
        signed.put("x-amz-target", "AppRunner.DeleteService");
        assertThatThrownBy(() -> api.verify("POST", "/", signed, BODY))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("InvalidSignatureException"));
    }

    @Test
    void theCredentialScopeMustNameThisServersRegionAndService() throws IOException {
        SigV4Verifier api = new SigV4Verifier(() -> SUITE, Clock.systemUTC(), "us-east-1");
        Map<String, String> otherRegion = sign("eu-west-1", Map.of("X-Amz-Target", "AppRunner.ListServices"));
        assertThatThrownBy(() -> api.verify("POST", "/", otherRegion, BODY)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo("InvalidSignatureException");
            assertThat(e.getMessage()).contains("'us-east-1', not 'eu-west-1'");
        });
        Map<String, String> suite = Raw.read("get-vanilla").headers();
        assertThatThrownBy(() -> api.verify("GET", "/", suite, new byte[0]))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).contains("correct service: 'apprunner'"));
    }

    @Test
    void aTargetThatIsNotPercentEncodedIsAClearError() throws IOException {
        Raw r = Raw.read("get-vanilla-query");
        for (String target : List.of("/?x=%zz", "/example space/", "/a|b{c}")) {
            assertThatThrownBy(() -> suiteVerifier.verify(r.method, target, r.headers(), r.body)).as(target)
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        }
    }

    private static final byte[] BODY = "{}".getBytes(StandardCharsets.UTF_8);

    /** Headers of a POST / signed by the AWS SDK's own signer for service apprunner in {@code region}. */
    private static Map<String, String> sign(String region, Map<String, String> extraHeaders) {
        return TestSigner.sign(SUITE, region, URI.create("http://127.0.0.1:9000/"), extraHeaders, BODY);
    }

    /** A vector's header-signed-request.txt: request line, headers (folded lines joined), body. */
    private record Raw(String method, String target, List<Map.Entry<String, String>> headerLines, byte[] body) {
        static Raw read(String name) throws IOException {
            String text;
            try (InputStream in = SigV4VerifierTest.class.getResourceAsStream("/aws-sigv4-test-suite/" + name + "/header-signed-request.txt")) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            int blank = text.indexOf("\n\n");
            String[] lines = (blank < 0 ? text : text.substring(0, blank)).split("\n");
            String requestLine = lines[0];
            String method = requestLine.substring(0, requestLine.indexOf(' '));
            String target = requestLine.substring(method.length() + 1, requestLine.lastIndexOf(" HTTP/"));
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                if (Character.isWhitespace(line.charAt(0))) { // obs-fold: joined with one space, as Netty does
                    Map.Entry<String, String> last = headers.remove(headers.size() - 1);
                    headers.add(new AbstractMap.SimpleEntry<>(last.getKey(), last.getValue() + " " + line.trim()));
                } else {
                    int colon = line.indexOf(':');
                    headers.add(new AbstractMap.SimpleEntry<>(line.substring(0, colon), line.substring(colon + 1)));
                }
            }
            byte[] body = blank < 0 ? new byte[0] : text.substring(blank + 2).getBytes(StandardCharsets.UTF_8);
            return new Raw(method, target, headers, body);
        }

        Map<String, String> headers() {
            return SigV4Verifier.headerMap(headerLines);
        }
    }
}
