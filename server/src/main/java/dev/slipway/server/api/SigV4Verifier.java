package dev.slipway.server.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.CredentialScope;
import software.amazon.awssdk.http.auth.aws.internal.signer.V4CanonicalRequest;
import software.amazon.awssdk.http.auth.aws.internal.signer.util.SignerUtils;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.BinaryUtils;

/**
 * Verifies AWS Signature Version 4 on API requests for service {@code apprunner}. It does not implement the
 * algorithm: the AWS SDK's http-auth-aws builds the canonical request of the signed headers and body and derives the
 * signing key, and the signatures are compared in constant time. Errors are the ones AWS answers with, and never
 * reveal the secret.
 */
final class SigV4Verifier {
    static final String SERVICE = "apprunner";
    private static final Duration MAX_SKEW = Duration.ofMinutes(15);
    private static final Pattern AUTHORIZATION = Pattern.compile(
            "AWS4-HMAC-SHA256\\s+Credential=([^/,\\s]+)/(\\d{8})/([^/,\\s]+)/([^/,\\s]+)/aws4_request,\\s*"
                    + "SignedHeaders=([^,\\s]+),\\s*Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Supplier<ApiCredentials> credentials;
    private final Clock clock;

    SigV4Verifier(Supplier<ApiCredentials> credentials, Clock clock) {
        this.credentials = credentials;
        this.clock = clock;
    }

    /**
     * @param headers lower-case header names to values, as received
     * @return the region the request was signed for
     */
    String verify(String method, String path, Map<String, String> headers, byte[] body) {
        String authorization = headers.get("authorization");
        if (authorization == null || authorization.isBlank()) {
            throw new ApiException("MissingAuthenticationTokenException", 400, "Missing Authentication Token: sign the "
                    + "request with AWS Signature Version 4 (the AWS CLI and SDKs do this with the server's access key)");
        }
        Matcher m = AUTHORIZATION.matcher(authorization.trim());
        if (!m.matches()) {
            throw new ApiException("IncompleteSignatureException", 400, "Authorization header is not a valid AWS "
                    + "Signature Version 4 header (AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...)");
        }
        String keyId = m.group(1);
        String region = m.group(3);
        String service = m.group(4);
        List<String> signedHeaders = List.of(m.group(5).split(";"));
        String signature = m.group(6);
        ApiCredentials known = credentials.get();
        if (!MessageDigest.isEqual(keyId.getBytes(StandardCharsets.UTF_8), known.accessKeyId().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException("UnrecognizedClientException", 403, "The security token included in the request is "
                    + "invalid: access key " + keyId + " is not known to this Slipway server");
        }
        if (!SERVICE.equals(service)) {
            throw new ApiException("InvalidSignatureException", 403, "Credential should be scoped to correct service: '"
                    + SERVICE + "', not '" + service + "'");
        }
        String amzDate = headers.get("x-amz-date");
        if (amzDate == null || !signedHeaders.contains("x-amz-date") || !signedHeaders.contains("host")) {
            throw new ApiException("IncompleteSignatureException", 400, "The request must sign the host and x-amz-date headers");
        }
        Instant signedAt;
        try {
            signedAt = Instant.from(AMZ_DATE.parse(amzDate));
        } catch (DateTimeParseException e) {
            throw new ApiException("IncompleteSignatureException", 400, "X-Amz-Date '" + amzDate + "' is not yyyyMMddTHHmmssZ");
        }
        Instant now = clock.instant();
        if (Duration.between(signedAt, now).abs().compareTo(MAX_SKEW) > 0) {
            throw new ApiException("InvalidSignatureException", 403, "Signature expired: " + amzDate + " is more than 15 minutes "
                    + (signedAt.isBefore(now) ? "before" : "after") + " the server's time " + AMZ_DATE.format(now)
                    + "; check the client's clock and send the request again");
        }
        if (!m.group(2).equals(amzDate.substring(0, 8))) {
            throw new ApiException("InvalidSignatureException", 403, "The credential scope date " + m.group(2)
                    + " does not match X-Amz-Date " + amzDate);
        }
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method))
                .uri(URI.create("http://" + headers.getOrDefault("host", "localhost") + path));
        for (String name : signedHeaders) {
            String value = headers.get(name);
            if (value == null) {
                throw new ApiException("IncompleteSignatureException", 400, "Signed header '" + name + "' is missing from the request");
            }
            request.putHeader(name, value);
        }
        // The SDK's public AwsV4HttpSigner always adds and signs x-amz-content-sha256, which the AWS CLI (botocore)
        // never sends; so the same library's canonical request and key derivation are used without that step.
        V4CanonicalRequest canonical = new V4CanonicalRequest(request.build(),
                BinaryUtils.toHex(SignerUtils.hash(body)), new V4CanonicalRequest.Options(true, true));
        CredentialScope scope = new CredentialScope(region, SERVICE, signedAt);
        String stringToSign = "AWS4-HMAC-SHA256\n" + scope.getDatetime() + "\n" + scope.scope() + "\n"
                + SignerUtils.hashCanonicalRequest(canonical.getCanonicalRequestString());
        byte[] key = SignerUtils.deriveSigningKey(
                AwsCredentialsIdentity.create(known.accessKeyId(), known.secretAccessKey()), scope);
        String expected = BinaryUtils.toHex(SignerUtils.computeSignature(stringToSign, key));
        if (!canonical.getSignedHeadersString().equals(m.group(5))
                || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), signature.getBytes(StandardCharsets.US_ASCII))) {
            throw new ApiException("InvalidSignatureException", 403, "The request signature we calculated does not match "
                    + "the signature you provided. Check your AWS Secret Access Key and signing method.");
        }
        return region;
    }
}
